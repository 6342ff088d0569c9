"""Imported comments on the platform's pages: the post page and the
moderation queue read them like any other."""

import pytest

from importer.models import ImportedItem, ItemKind

from .conftest import import_files

pytestmark = pytest.mark.django_db


def test_the_post_page_shows_the_imported_thread(client, journal, people):
    import_files(journal)
    post = ImportedItem.objects.get(
        journal=journal, kind=ItemKind.ENTRY, source_id=1
    ).post

    page = client.get(post.get_absolute_url())

    html = page.content.decode()
    assert page.status_code == 200
    assert "Was it the 23:40 from the north pier?" in html
    assert "ghost_writer (livejournal.com)" in html
    assert "Deleted comment" in html  # the tombstone above its replies
    assert "Replying to something now deleted." in html
    assert "buy cheap ferry tickets" not in html  # screened: held here
    assert "alert(" not in html


def test_screened_comments_wait_in_the_moderation_queue(client, journal, people):
    import_files(journal)
    client.force_login(journal.owner)

    page = client.get(f"/moderation/?journal={journal.name}")

    assert page.status_code == 200
    assert "Screened: buy cheap ferry tickets here." in page.content.decode()
    assert "Screened on livejournal.com before the import." in page.content.decode()
