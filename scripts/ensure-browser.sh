#!/usr/bin/env bash
# Make sure a Chromium is available for the auditor, in the order the auditor looks for one:
# $CONSENT_AUDIT_BROWSER, a system Chromium, Playwright's own. Installs one only when none is found:
# Debian's chromium with apt when running as root on Debian/Ubuntu, else `playwright install chromium`.
set -euo pipefail
PYTHON="${PYTHON:-python3}"

if [ -n "${CONSENT_AUDIT_BROWSER:-}" ] && [ -x "${CONSENT_AUDIT_BROWSER}" ]; then
  echo "browser: ${CONSENT_AUDIT_BROWSER} (from CONSENT_AUDIT_BROWSER)"; exit 0
fi
for candidate in /usr/lib/chromium/chromium /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -x "$candidate" ]; then echo "browser: $candidate (system)"; exit 0; fi
done
if ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-*/chrome-*/chrome >/dev/null 2>&1; then
  echo "browser: Playwright's own Chromium"; exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "browser: installing Debian's chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "browser: installing Playwright's Chromium (playwright install chromium)"
"$PYTHON" -m playwright install chromium
