#!/usr/bin/env bash
# Make sure a Chromium is available for the auditor. The auditor's own discovery decides
# (`consent-audit browser`, i.e. auditor.config.find_browser: --browser, $CONSENT_AUDIT_BROWSER, a system Chromium, Playwright's own),
# so this script and the tool never disagree. Installs one only when none is found: Debian's chromium with
# apt when running as root on Debian/Ubuntu, else `playwright install chromium`.
set -euo pipefail
PYTHON="${PYTHON:-python3}"

if found=$("$PYTHON" -m auditor browser 2>/dev/null); then
  echo "browser: $found"; exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "browser: installing Debian's chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
else
  echo "browser: installing Playwright's Chromium (playwright install chromium)"
  "$PYTHON" -m playwright install chromium
fi
"$PYTHON" -m auditor browser >/dev/null || { echo "browser: still no Chromium after installing one" >&2; exit 1; }
