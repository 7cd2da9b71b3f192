#!/usr/bin/env bash
# The RUN steps of the Dockerfile, kept here so they can be checked (tests/test_container.py).
#   install.sh system        Debian packages (python3, Debian's chromium, fonts) and the non-root user
#   install.sh package SRC   consent-auditor from SRC into the venv $VIRTUAL_ENV (default /opt/consent-audit)
set -euo pipefail
USER_NAME="${AUDIT_USER:-auditor}"
VENV="${VIRTUAL_ENV:-/opt/consent-audit}"

system() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    python3 python3-venv ca-certificates chromium fonts-dejavu-core fonts-liberation >/dev/null
  rm -rf /var/lib/apt/lists/*
  # A plain user: Chromium runs with its sandbox on (user namespaces) only when it is not root.
  useradd --create-home --uid 10001 --shell /usr/sbin/nologin "$USER_NAME"
  install -d -o "$USER_NAME" -g "$USER_NAME" /work
}

package() {
  local src="$1"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --no-cache-dir -q "$src"
  # Fail the build now if the auditor cannot find Debian's Chromium.
  "$VENV/bin/consent-audit" browser
}

case "${1:-}" in
  system) system ;;
  package) package "${2:?install.sh package SRC}" ;;
  *) echo "usage: install.sh system | package SRC" >&2; exit 2 ;;
esac
