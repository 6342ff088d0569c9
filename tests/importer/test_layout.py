"""The importer keeps the project's rule on imports inside functions
(tests/test_code_layout.py checks the other apps)."""

from pathlib import Path

from tests.test_code_layout import hidden_imports

ROOT = Path(__file__).resolve().parents[2]


def test_no_import_hides_inside_a_function_of_the_importer():
    found = []
    for file in sorted((ROOT / "importer").rglob("*.py")):
        if "migrations" not in file.parts:
            found += hidden_imports(file.read_text(), str(file.relative_to(ROOT)))
    assert found == [], "Imports inside functions:\n" + "\n".join(found)
