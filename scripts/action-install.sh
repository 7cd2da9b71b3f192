#!/usr/bin/env bash
# GitHub Action step 1: install consent-auditor from the action's own checkout and make sure a Chromium
# is there (scripts/ensure-browser.sh: Debian/Ubuntu chromium via apt as root, else playwright install).
set -euo pipefail
ACTION_PATH="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m pip install -q "$ACTION_PATH"
PYTHON="$PYTHON" bash "$ACTION_PATH/scripts/ensure-browser.sh"
