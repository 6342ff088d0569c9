#!/usr/bin/env bash
# Create .venv and install the project with its dev tools. Re-installs only when
# pyproject.toml changed, so the other scripts can call this every time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"

find_python() {
    for candidate in python3.11 python3.12 python3.13 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "$candidate"
            return
        fi
    done
    echo "Python 3.11 or newer is required; install it and try again." >&2
    exit 1
}

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating a virtualenv in $VENV"
    "$(find_python)" -m venv "$VENV"
fi

stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Installing dependencies (first run takes a minute)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[dev]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi

# The browser tests' accessibility checks inject axe-core from the npm registry
# (package.json). Without npm they are skipped with that reason, except in CI.
if command -v npm >/dev/null 2>&1; then
    npm_stamp="$ROOT/node_modules/.installed-$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
    if [ ! -f "$npm_stamp" ]; then
        echo "Installing the browser tests' front-end tools (npm ci)"
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
        touch "$npm_stamp"
    fi
fi
