#!/usr/bin/env bash
# Run the benchmarks (python -m benchmarks): our pages, posting, the queue and the
# sanitizer on SQLite and PostgreSQL, django-comments-xtd beside them, and a load
# test under gunicorn. Needs the PostgreSQL and Redis that the README names.
# Extra arguments go to the benchmark, e.g. scripts/bench.sh --quick
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec .venv/bin/python -m benchmarks "$@"
