#!/usr/bin/env bash
# GitHub Action last step: fail the job with the audit's exit code (after the uploads ran).
set -euo pipefail
code="${AUDIT_EXIT_CODE:-}"
case "$code" in
  0) echo "consent-audit: clean"; exit 0 ;;
  1) echo "::error::consent-audit: findings at or above fail-on (see the step summary and code scanning)" ;;
  2) echo "::error::consent-audit: usage, configuration or rule-pack error: nothing was audited" ;;
  3) echo "::error::consent-audit: a site could not be audited (not a pass: see the report)" ;;
  "") echo "::error::consent-audit: the audit step did not report an exit code"; exit 2 ;;
  *) echo "::error::consent-audit: exit code $code" ;;
esac
exit "$code"
