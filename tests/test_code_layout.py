"""Which way knowledge flows in the code, checked where a reviewer cannot.

The import contracts live in pyproject.toml and import-linter checks them (also
run by .ci/run); here the README's test command runs them too, and looks for
what import-linter cannot see: an import hidden inside a function body, the
usual way to dodge a cycle. One is allowed only for an optional or heavy
dependency, with "# optional:" or "# heavy:" on its line saying why.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("accounts", "config", "journal", "moderation", "benchmarks", "manage.py")
ALLOWED_BECAUSE = ("# optional:", "# heavy:")


def hidden_imports(source: str, name: str) -> list[str]:
    """``name:line: text`` for each import inside a function without a reason."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom):
                text = lines[inner.lineno - 1]
                if not any(reason in text for reason in ALLOWED_BECAUSE):
                    found.append(f"{name}:{inner.lineno}: {text.strip()}")
    return sorted(set(found))


def modules():
    for entry in CHECKED:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            if "migrations" not in file.parts:
                yield file


def test_no_import_hides_inside_a_function():
    found = []
    for file in modules():
        found += hidden_imports(file.read_text(), str(file.relative_to(ROOT)))
    assert found == [], "Imports inside functions:\n" + "\n".join(found)


def test_the_search_finds_an_import_inside_a_function_and_accepts_a_reason():
    source = (
        "def view():\n"
        "    from journal.models import Comment\n"
        "    import psycopg  # optional: only for PostgreSQL\n"
    )
    assert hidden_imports(source, "x.py") == [
        "x.py:2: from journal.models import Comment"
    ]


def test_the_import_contracts_hold():
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
