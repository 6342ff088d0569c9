#!/usr/bin/env bash
# Run the whole test suite. DATABASE_URL picks the database (SQLite by default).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/journal -k thread
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec .venv/bin/python -m pytest "$@"
