#!/usr/bin/env bash
# GitHub Action step 2: run `consent-audit audit` from the action's inputs (INPUT_* variables) and record
# its exit code and output paths in $GITHUB_OUTPUT. Always exits 0, so the SARIF and artifact uploads run;
# scripts/action-verdict.sh fails the job afterwards. The CLI itself writes the workflow annotations and
# appends the Markdown step summary to $GITHUB_STEP_SUMMARY.
set -euo pipefail
AUDIT="${CONSENT_AUDIT:-consent-audit}"
OUT="${INPUT_OUT:-consent-audit-out}"
cmd=("$AUDIT" audit --out "$OUT" --fail-on "${INPUT_FAIL_ON:-error}")
if [ -n "${INPUT_SITES:-}" ]; then cmd+=(--sites "$INPUT_SITES"); fi
for pack in ${INPUT_RULES:-}; do cmd+=(--rules "$pack"); done
if [ -n "${INPUT_BASELINE:-}" ]; then cmd+=(--baseline "$INPUT_BASELINE"); fi
formats=" ${INPUT_FORMATS:-} "
for required in html sarif; do
  case "$formats" in *" $required "*) ;; *) formats="$formats$required " ;; esac
done
for format in $formats; do cmd+=(--format "$format"); done
while IFS= read -r arg; do
  if [ -n "$arg" ]; then cmd+=(--browser-arg "$arg"); fi
done <<< "${INPUT_BROWSER_ARGS:-}"
for url in ${INPUT_URLS:-}; do cmd+=("$url"); done

echo "::group::consent-audit audit"
printf '%q ' "${cmd[@]}"; echo
set +e
"${cmd[@]}"
code=$?
set -e
echo "::endgroup::"
{
  echo "exit-code=$code"
  if [ -f "$OUT/results.json" ]; then echo "results=$OUT/results.json"; fi
  if [ -f "$OUT/results.sarif" ]; then echo "sarif=$OUT/results.sarif"; fi
} >> "${GITHUB_OUTPUT:-/dev/stdout}"
