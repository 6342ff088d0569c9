from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
ENTRIES = [FIXTURES / "entries.xml", FIXTURES / "L-4.xml"]
META = [FIXTURES / "comment_meta.xml", FIXTURES / "comment_meta_2.xml"]
BODIES = [FIXTURES / "comment_body.xml", FIXTURES / "comment_body_2.xml"]


def import_files(journal, *extra, entries=ENTRIES, meta=META, bodies=BODIES):
    """Run the command on the fixture (or the files given); its output."""
    out = StringIO()
    args = [journal.name]
    if entries:
        args += ["--entries", *map(str, entries)]
    if meta:
        args += ["--comment-meta", *map(str, meta)]
    if bodies:
        args += ["--comment-body", *map(str, bodies)]
    call_command("import_journal", *args, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(db):
    """The accounts here: frank (the same name as on the old site) and marta
    (renamed to marta_k on the old site)."""
    return {
        "frank": UserFactory(username="frank"),
        "marta": UserFactory(username="marta"),
    }
