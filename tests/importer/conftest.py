from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
ENTRIES = [FIXTURES / "entries.xml", FIXTURES / "L-4.xml"]
META = [FIXTURES / "comment_meta.xml", FIXTURES / "comment_meta_2.xml"]
BODIES = [FIXTURES / "comment_body.xml", FIXTURES / "comment_body_2.xml"]


def import_files(
    journal, *extra, entries=ENTRIES, meta=META, bodies=BODIES, match=True
):
    """Run the command on the fixture (or the files given); its output. With
    ``match``, the owner's own old name links to their account."""
    out = StringIO()
    args = [journal.name, *(["--match-usernames"] if match else [])]
    if entries:
        args += ["--entries", *map(str, entries)]
    if meta:
        args += ["--comment-meta", *map(str, meta)]
    if bodies:
        args += ["--comment-body", *map(str, bodies)]
    call_command("import_journal", *args, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(journal):
    """The accounts here: the journal's owner, frank (the same name as on the
    old site), and marta (renamed to marta_k on the old site), who is not the
    owner: only the owner's own old comments are ever linked to an account."""
    owner = journal.owner
    owner.username = "frank"
    owner.save()
    return {"frank": owner, "marta": UserFactory(username="marta")}
