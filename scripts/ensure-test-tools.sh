#!/usr/bin/env bash
# The tests drive Debian's Chromium with Playwright and read PDFs back with poppler's
# pdftotext. Install what is missing when we may (root on a Debian machine); otherwise say
# exactly what to do.
set -euo pipefail
CHROMIUM=${KAKEHASHI_CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's ${missing[*]} for the tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    exit 0
fi
echo "The tests need: ${missing[*]}. Run 'sudo apt-get install ${missing[*]}'," >&2
echo "or set KAKEHASHI_CHROMIUM to a Chromium binary." >&2
exit 1
