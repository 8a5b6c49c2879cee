#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright cannot download browsers here).
# Installs it with apt-get when running as root; otherwise says how.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ] && [ -d /usr/share/fonts/truetype/dejavu ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[tests] Installing Debian's chromium for the browser tests (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "[tests] The browser tests need Chromium at $CHROMIUM." >&2
echo "[tests] Install it with: sudo apt-get install chromium fonts-dejavu-core" >&2
echo "[tests] (or set CHROMIUM_PATH to a Chromium binary), then run npm test again." >&2
exit 1
