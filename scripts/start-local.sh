#!/usr/bin/env bash
# Installs the bot and starts it in local mode: SQLite in ./data, no Azure, no authentication,
# listening on http://127.0.0.1:3978/api/messages for the Microsoft 365 Agents Playground.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
export BOT_LOCAL_MODE="${BOT_LOCAL_MODE:-true}"
exec "$VENV/bin/python" app.py
