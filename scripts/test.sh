#!/usr/bin/env bash
# Runs every check: lint, types and the test suite. Creates .venv on first use.
# PostgreSQL tests run when TEST_DATABASE_URL is set, e.g.
#   TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test ./scripts/test.sh
# Extra arguments go to pytest (e.g. ./scripts/test.sh tests/unit -k calendar).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy" .
"$VENV/bin/python" -m pytest "$@"
