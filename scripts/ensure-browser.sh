#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright. Install it when it is missing
# and we may (root on a Debian machine); otherwise say exactly what to do.
set -euo pipefail
CHROMIUM=${KAKEHASHI_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM: run 'sudo apt-get install chromium'," >&2
echo "or set KAKEHASHI_CHROMIUM to a Chromium binary." >&2
exit 1
