"""Moderators' private notes on authors: written from the queue (beside the
author's record) and the admin, dated and signed, taken back without being
deleted, and never shown to the author or in another journal."""

import pytest
from django.test import Client

from moderation import notes, services
from moderation.models import AuditEntry, AuthorNote
from tests.factories import CommentFactory, UserFactory
from tests.journal.html_tree import parse
from tests.two_journals import hold

pytestmark = pytest.mark.django_db

SECRET = "Warned by mail about the casino links"


def write(client, journal, author, text=SECRET, next_="/moderation/"):
    return client.post(
        "/moderation/notes/",
        {"journal": journal.name, "author": author.pk, "text": text, "next": next_},
    )


# The queue ------------------------------------------------------------------------


def test_a_moderator_writes_a_note_beside_the_authors_record_in_the_queue(
    client, mod_a, held_a, author, journal_a
):
    client.force_login(mod_a)
    item = parse(client.get("/moderation/").content.decode()).by_id(f"q{held_a.pk}")
    textarea = item.find("textarea", name="text")
    form_id = textarea.attrs["form"]
    page = parse(client.get("/moderation/").content.decode())
    form = page.by_id(form_id)
    assert form.attrs["action"] == "/moderation/notes/"
    assert form.find("input", name="author").attrs["value"] == str(author.pk)

    response = write(client, journal_a, author, next_=f"/moderation/#q{held_a.pk}")

    assert response.status_code == 302
    assert response["Location"] == f"/moderation/#q{held_a.pk}"
    note = AuthorNote.objects.get()
    assert (note.journal, note.author, note.text) == (journal_a, author, SECRET)
    assert (note.written_by, note.written_by_name) == (mod_a, "mod_a")
    entry = AuditEntry.objects.get(action="note.write")
    assert entry.actor == mod_a and SECRET not in entry.note
    item = parse(client.get("/moderation/").content.decode()).by_id(f"q{held_a.pk}")
    notes_shown = item.find(cls="author-notes").text()
    assert SECRET in notes_shown and "mod_a" in notes_shown


def test_taking_a_note_back_hides_it_and_keeps_the_row(
    client, mod_a, held_a, author, journal_a
):
    note = notes.write_note(
        moderator=journal_a.owner, journal=journal_a, author=author, text=SECRET
    )
    client.force_login(mod_a)
    page = parse(client.get("/moderation/").content.decode())
    button = page.by_id(f"q{held_a.pk}").find("button", form="retire-note")
    assert button.attrs["formaction"] == f"/moderation/notes/{note.pk}/retire/"

    client.post(button.attrs["formaction"], {"next": "/moderation/"})

    note.refresh_from_db()
    assert note.retired_at is not None
    assert SECRET not in client.get("/moderation/").content.decode()
    assert AuditEntry.objects.filter(action="note.retire", actor=mod_a).exists()
    assert client.post(f"/moderation/notes/{note.pk}/retire/").status_code == 302
    assert AuditEntry.objects.filter(action="note.retire").count() == 1


def test_an_empty_or_long_note_is_refused_and_nothing_is_stored(
    client, mod_a, held_a, author, journal_a
):
    client.force_login(mod_a)

    empty = write(client, journal_a, author, text="   ")
    long = client.post(
        "/moderation/notes/",
        {"journal": "alpha", "author": author.pk, "text": "x" * 2001},
        follow=True,
    )

    assert empty.status_code == 302
    assert "At most 2,000 characters" in long.content.decode()
    assert not AuthorNote.objects.exists()


def test_notes_of_one_journal_never_show_in_another(
    client, mod_a, mod_b, held_a, held_b, author, journal_a
):
    notes.write_note(moderator=mod_a, journal=journal_a, author=author, text=SECRET)
    client.force_login(mod_b)

    page = client.get("/moderation/").content.decode()

    assert f'id="q{held_b.pk}"' in page
    assert SECRET not in page
    # Nor can beta's moderator write or take back alpha's notes.
    assert write(client, journal_a, author).status_code == 404
    note = AuthorNote.objects.get()
    assert client.post(f"/moderation/notes/{note.pk}/retire/").status_code == 404
    assert AuthorNote.objects.get().retired_at is None
    assert AuthorNote.objects.count() == 1


def test_a_note_never_reaches_the_author(
    client, mod_a, held_a, author, journal_a, post_a
):
    notes.write_note(moderator=mod_a, journal=journal_a, author=author, text=SECRET)
    client.force_login(author)

    pages = [
        client.get(post_a.get_absolute_url()).content.decode(),
        client.get(f"{post_a.get_absolute_url()}?thread={held_a.pk}").content.decode(),
        client.get(f"/{journal_a.name}/").content.decode(),
    ]

    assert all(SECRET not in page for page in pages)
    assert client.get("/moderation/").status_code == 404
    assert write(client, journal_a, author).status_code == 404
    assert AuthorNote.objects.count() == 1


def test_writing_a_note_needs_csrf_and_a_login(held_a, author, journal_a, mod_a):
    anonymous = Client()
    assert anonymous.post("/moderation/notes/", {}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(mod_a)
    response = strict.post(
        "/moderation/notes/", {"journal": "alpha", "author": author.pk, "text": "x"}
    )
    assert response.status_code == 403
    assert not AuthorNote.objects.exists()


def test_notes_cost_a_query_only_when_an_author_on_the_page_has_one(
    client, mod_a, post_a, journal_a, django_assert_num_queries
):
    authors = [UserFactory() for _ in range(12)]
    for author in authors:
        hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)
    client.get("/moderation/")

    with django_assert_num_queries(4):  # as the queue's own test counts
        client.get("/moderation/")
    for author in authors:
        notes.write_note(moderator=mod_a, journal=journal_a, author=author, text="n")
    with django_assert_num_queries(5):  # and one for every note on the page
        page = client.get("/moderation/").content.decode()

    assert page.count('class="author-note"') == 12


# The admin -------------------------------------------------------------------------


def test_the_owner_writes_a_note_in_the_admin_through_the_service(
    client, journal_a, author
):
    owner = journal_a.owner
    owner.is_staff = True
    owner.save()
    client.force_login(owner)

    response = client.post(
        "/admin/moderation/authornote/add/",
        {"journal": journal_a.pk, "author": "writer", "text": SECRET},
    )

    assert response.status_code == 302
    note = AuthorNote.objects.get()
    assert (note.written_by, note.written_by_name, note.text) == (
        owner,
        owner.username,
        SECRET,
    )
    assert AuditEntry.objects.filter(action="note.write", actor=owner).exists()
    listed = client.get("/admin/moderation/authornote/").content.decode()
    assert SECRET in listed
    # Signed notes are read, not rewritten; taking one back keeps the row.
    page = client.get(f"/admin/moderation/authornote/{note.pk}/change/")
    assert page.status_code == 200 and 'name="text"' not in page.content.decode()
    client.post(
        "/admin/moderation/authornote/",
        {"action": "retire_selected", "_selected_action": [note.pk]},
    )
    note.refresh_from_db()
    assert note.retired_at is not None and AuthorNote.objects.count() == 1


def test_another_owner_neither_sees_nor_writes_notes_in_the_admin(
    client, journal_a, journal_b, author
):
    notes.write_note(
        moderator=journal_a.owner, journal=journal_a, author=author, text=SECRET
    )
    owner_b = journal_b.owner
    owner_b.is_staff = True
    owner_b.save()
    client.force_login(owner_b)

    listed = client.get("/admin/moderation/authornote/").content.decode()
    note = AuthorNote.objects.get()
    change = client.get(f"/admin/moderation/authornote/{note.pk}/change/")
    added = client.post(
        "/admin/moderation/authornote/add/",
        {"journal": journal_a.pk, "author": "writer", "text": "mine now"},
    )

    assert SECRET not in listed
    assert change.status_code == 302  # the admin's "not found", as for any row
    assert added.status_code == 200  # the form again: not one of their journals
    assert AuthorNote.objects.count() == 1


def test_an_admin_note_without_text_is_refused(client, journal_a, author):
    owner = journal_a.owner
    owner.is_staff = True
    owner.save()
    client.force_login(owner)

    response = client.post(
        "/admin/moderation/authornote/add/",
        {"journal": journal_a.pk, "author": "writer", "text": "  "},
    )

    assert response.status_code == 200
    assert not AuthorNote.objects.exists()


def test_a_ban_through_the_queue_and_a_note_both_show_in_the_record(
    client, mod_a, held_a, author, journal_a
):
    services.restrict_author(journal=journal_a, user=author, kind="screen", by=mod_a)
    notes.write_note(moderator=mod_a, journal=journal_a, author=author, text=SECRET)
    client.force_login(journal_a.owner)

    item = parse(client.get("/moderation/").content.decode()).by_id(f"q{held_a.pk}")

    assert "screened" in item.find(cls="author-record").text()
    assert SECRET in item.find(cls="author-notes").text()
