#!/usr/bin/env bash
# Serve Kakehashi with gunicorn and run the job consumer beside it; stop both together.
set -euo pipefail
KH=${KH:-.venv/bin/kakehashi}
BIN=$(dirname "$KH")
"$KH" run_huey --quiet &
CONSUMER=$!
trap 'kill "$CONSUMER" 2>/dev/null || true' EXIT INT TERM
echo
echo "Kakehashi is at http://127.0.0.1:${PORT:-8000}/  (stop with Ctrl-C)"
"$KH" demo --accounts
echo
"$BIN/gunicorn" kakehashi.wsgi:application \
    --bind "127.0.0.1:${PORT:-8000}" \
    --workers "${WEB_WORKERS:-3}" \
    --access-logfile - \
    --graceful-timeout 5
