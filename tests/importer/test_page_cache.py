"""An import shows on anonymous readers' cached pages at once (journal.pagecache)."""

import pytest
from django.test import Client

from importer.models import ImportedItem, ItemKind

from .conftest import FIXTURES, META, import_files

# Pages change when the import's transaction commits: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}


def read(url: str) -> tuple[str, bool]:
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode(), response.get("X-Page-Cache") == "hit"


def warm(url: str) -> str:
    read(url)
    page, cached = read(url)
    assert cached
    return page


def test_new_and_changed_imports_show_on_the_next_anonymous_read(
    journal, people, tmp_path
):
    import_files(journal)
    post = ImportedItem.objects.get(
        journal=journal, kind=ItemKind.ENTRY, source_id=1
    ).post
    assert "Was it the 23:40 from the north pier?" in warm(post.get_absolute_url())
    warm(journal.get_absolute_url())
    body = (FIXTURES / "comment_body.xml").read_text()
    (tmp_path / "body.xml").write_text(
        body.replace("Was it the 23:40 from the north pier?", "Edited on the old site.")
    )

    import_files(journal, entries=[], meta=META, bodies=[tmp_path / "body.xml"])

    page, cached = read(post.get_absolute_url())
    assert not cached and "Edited on the old site." in page


def test_a_new_entry_shows_on_the_journals_cached_page(journal, people):
    warm(journal.get_absolute_url())

    import_files(journal, entries=[FIXTURES / "L-4.xml"], meta=[], bodies=[])

    page, cached = read(journal.get_absolute_url())
    assert not cached and "Allotment diary" in page
