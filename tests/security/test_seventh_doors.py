"""Seventh doors: appeals, moderators' notes on authors, shared word and ban
lists (issue 19), tried from every door by an attacker and a spammer."""

import pytest
from django.test import Client

from moderation import appeals, notes, services
from moderation.models import AuthorNote
from tests.factories import CommentFactory
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db

SECRET = "Probably a sock puppet of the casino spammer"
APPEALS = "/api/moderation/appeals/"
NOTES = "/api/moderation/notes/"


def reject(moderator, comment, note="Keep to the post"):
    [outcome] = services.decide(
        moderator=moderator,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason="off_topic",
        note=note,
    )
    assert outcome.done
    comment.refresh_from_db()
    return comment


# Notes never reach the author, not even a moderator who is the author -------------


def test_the_notes_api_never_shows_a_moderator_the_notes_on_themselves(
    as_user, journal_a, mod_a
):
    notes.write_note(
        moderator=journal_a.owner, journal=journal_a, author=mod_a, text=SECRET
    )
    api = as_user(mod_a)
    both = api.get(NOTES, {"journal": "alpha"})
    mine = api.get(NOTES, {"journal": "alpha", "author": "mod_a"})
    assert SECRET not in both.content.decode()
    assert SECRET not in mine.content.decode()
    # Nor may they take back the notes on themselves, by any door.
    note = AuthorNote.objects.get()
    assert api.post(f"{NOTES}{note.pk}/retire/").status_code == 404
    client = Client()
    client.force_login(mod_a)
    assert client.post(f"/moderation/notes/{note.pk}/retire/").status_code == 404
    assert AuthorNote.objects.get().retired_at is None


def test_the_queue_never_shows_a_moderator_the_notes_on_their_own_comment(
    client, journal_a, mod_a, post_a
):
    notes.write_note(
        moderator=journal_a.owner, journal=journal_a, author=mod_a, text=SECRET
    )
    hold(CommentFactory(post=post_a, author=mod_a, body_source="mine held"))
    client.force_login(mod_a)
    page = client.get("/moderation/").content.decode()
    assert "mine held" in page
    assert SECRET not in page


def test_the_appeals_tab_never_shows_a_moderator_the_notes_on_their_own_appeal(
    client, journal_a, mod_a, post_a
):
    notes.write_note(
        moderator=journal_a.owner, journal=journal_a, author=mod_a, text=SECRET
    )
    comment = reject(journal_a.owner, CommentFactory(post=post_a, author=mod_a))
    appeals.file_appeal(author=mod_a, comment_id=comment.pk, text="look again")
    client.force_login(mod_a)
    page = client.get("/moderation/?tab=appeals").content.decode()
    assert "look again" in page
    assert SECRET not in page


def test_the_admin_never_shows_an_owner_the_notes_on_themselves(
    client, journal_a, mod_a
):
    notes.write_note(
        moderator=mod_a, journal=journal_a, author=journal_a.owner, text=SECRET
    )
    owner = journal_a.owner
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    page = client.get("/admin/moderation/authornote/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()


def test_an_over_long_note_in_the_admin_is_refused_without_a_500(
    client, journal_a, author
):
    owner = journal_a.owner
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    response = client.post(
        "/admin/moderation/authornote/add/",
        {"journal": journal_a.pk, "author": author.username, "text": "x" * 2001},
    )
    assert response.status_code in (200, 400)
    assert not AuthorNote.objects.exists()


def test_the_deciding_moderator_cannot_grant_the_appeal_from_any_door(
    as_user, journal_a, mod_a, post_a, author, client
):
    comment = reject(mod_a, CommentFactory(post=post_a, author=author))
    appeal = appeals.file_appeal(author=author, comment_id=comment.pk, text="again")
    api = as_user(mod_a)
    r = api.post(
        f"{APPEALS}{appeal.pk}/decide/",
        {"outcome": "grant", "answer": "ok"},
        format="json",
    )
    assert r.status_code == 403
    client.force_login(mod_a)
    client.post(
        f"/moderation/appeals/{appeal.pk}/decide/", {"outcome": "grant", "answer": "ok"}
    )
    appeal.refresh_from_db()
    assert appeal.state == "open"


def test_hostile_appeal_and_note_requests_get_json_4xx(
    as_user, journal_a, mod_a, author, post_a
):
    comment = reject(mod_a, CommentFactory(post=post_a, author=author))
    api = as_user(author)
    bodies = [
        {"comment": comment.pk, "text": ["x"]},
        {"comment": comment.pk, "text": None},
        {"comment": -1, "text": "x"},
        {"comment": 2**62, "text": "x"},
        {"comment": True, "text": "x"},
        {"journal": "alpha", "restriction": "ban", "text": "x" * 100000},
        {"journal": None, "restriction": None, "text": "x"},
        {"journal": "ALPHA", "restriction": "ban", "text": "x"},
        {"journal": "alpha", "restriction": ["ban"], "text": "x"},
        [],
        "x",
        None,
        {},
    ]
    for body in bodies:
        r = api.post(APPEALS, body, format="json")
        assert r.status_code < 500, (body, r.status_code)
        assert "code" in r.json(), (body, r.content)
    for q in [
        {"state": "x"},
        {"journal": "x" * 1000},
        {"page": "-1"},
        {"cursor": "zz"},
    ]:
        assert api.get(APPEALS, q).status_code < 500, q
    mod = as_user(mod_a)
    for body in [
        {"outcome": "grant"},
        {"outcome": 1, "answer": "x"},
        {"outcome": "grant", "answer": {"a": 1}},
        [],
    ]:
        r = mod.post(f"{APPEALS}1/decide/", body, format="json")
        assert r.status_code < 500 and "code" in r.json(), (body, r.content)
    for url in [
        f"{APPEALS}99999999999999999999/decide/",
        f"{NOTES}99999999999999999999/retire/",
        "/api/shared-lists/99999999999999999999/",
        "/api/shared-lists/1/versions/99999999999999999999/",
    ]:
        if "decide" in url:
            r = mod.post(url, {"outcome": "grant", "answer": "x"}, format="json")
        else:
            r = mod.post(url) if "retire" in url else mod.get(url)
        assert r.status_code == 404, (url, r.status_code)
    for body in [
        {"journal": "alpha", "author": "writer", "text": None},
        {"journal": "alpha", "author": ["writer"], "text": "x"},
        {"journal": "alpha", "author": "nobody", "text": "x"},
        {"journal": "beta", "author": "writer", "text": "x"},
    ]:
        r = mod.post(NOTES, body, format="json")
        assert r.status_code < 500 and "code" in r.json(), (body, r.content)
    for q in [
        {},
        {"journal": "alpha", "author": "nobody"},
        {"journal": "beta"},
        {"journal": ["a", "b"]},
    ]:
        r = mod.get(NOTES, q)
        assert r.status_code < 500 and "code" in r.json(), (q, r.content)


def test_hostile_appeal_and_note_forms_get_no_500(
    client, journal_a, mod_a, author, post_a
):
    comment = reject(mod_a, CommentFactory(post=post_a, author=author))
    client.force_login(author)
    for url in [
        f"/moderation/appeal/comment/{comment.pk}/",
        "/moderation/appeal/alpha/ban/",
        "/moderation/appeal/alpha/screen/",
        "/moderation/appeal/nope/ban/",
        "/moderation/appeal/alpha/x/",
        "/moderation/appeal/comment/99999999999999999999/",
    ]:
        for data in [{"text": "x" * 10000}, {"text": ""}, {}]:
            r = client.post(url, data)
            assert r.status_code < 500, (url, r.status_code)
    client.force_login(mod_a)
    for url, data in [
        ("/moderation/notes/", {"journal": "alpha", "author": "-1", "text": "x"}),
        (
            "/moderation/notes/",
            {"journal": "alpha", "author": "99999999999999999999", "text": "x"},
        ),
        ("/moderation/notes/99999999999999999999/retire/", {}),
        (
            "/moderation/appeals/99999999999999999999/decide/",
            {"outcome": "grant", "answer": "x"},
        ),
        ("/moderation/appeals/1/decide/", {"outcome": "grant", "answer": "x" * 100000}),
    ]:
        r = client.post(url, data)
        assert r.status_code < 500, (url, r.status_code)
    assert client.get("/moderation/?tab=appeals&author=" + "x" * 500).status_code < 500


LISTS = "/api/shared-lists/"


def test_hostile_shared_list_requests_and_followers_rights(
    as_user, journal_a, journal_b, mod_a, author
):
    from moderation import shared_lists

    words = shared_lists.publish(
        journal=journal_a,
        by=journal_a.owner,
        kind="words",
        name="Garden spam",
        entries=[{"phrase": "casino", "kind": "block"}],
    )
    bans = shared_lists.publish(
        journal=journal_a,
        by=journal_a.owner,
        kind="bans",
        name="Trolls",
        entries=[{"username": "writer"}],
    )
    hidden = shared_lists.publish(
        journal=journal_a, by=journal_a.owner, kind="words", name="Gone", entries=[]
    )
    shared_lists.unpublish(shared_list=hidden, by=journal_a.owner)
    owner = as_user(journal_a.owner)
    bodies = [
        {"kind": "words", "journal": "alpha", "name": "x", "words": "casino"},
        {"kind": "words", "journal": "alpha", "name": "x", "words": [None]},
        {
            "kind": "words",
            "journal": "alpha",
            "name": "x",
            "words": [{"phrase": None, "kind": "block"}],
        },
        {
            "kind": "words",
            "journal": "alpha",
            "name": "x",
            "words": [{"phrase": "a", "kind": "block", "substring": "yes"}],
        },
        {"kind": "bans", "journal": "alpha", "name": "y", "bans": [{"username": None}]},
        {
            "kind": "bans",
            "journal": "alpha",
            "name": "y",
            "bans": [{"username": "writer", "until": "2020-01-01"}],
        },
        {
            "kind": "bans",
            "journal": "alpha",
            "name": "y",
            "bans": [{"username": "writer", "until": "9999-12-31T23:59:59"}],
        },
        {
            "kind": "bans",
            "journal": "alpha",
            "name": "y",
            "bans": [{"username": "writer", "until": "2999-01-01T00:00:00+14:00"}],
        },
        {
            "kind": "bans",
            "journal": "alpha",
            "name": "y",
            "bans": [{"username": "writer", "reason": ["x"]}],
        },
        {"kind": "bans", "journal": "alpha", "name": "\u202eevil", "bans": []},
        {"kind": "bans", "journal": "alpha", "name": "a\u200bb", "bans": []},
        {"kind": ["bans"], "journal": "alpha", "name": "y"},
        {"kind": "bans", "journal": ["alpha"], "name": "y"},
        {"kind": "words", "journal": "beta", "name": "y"},
        [],
    ]
    for body in bodies:
        r = owner.post(LISTS, body, format="json")
        assert r.status_code < 500, (body, r.status_code, r.content[:300])
    for body in [
        {"words": None},
        {"bans": []},
        {"description": None},
        {"words": [{"phrase": "x" * 101, "kind": "hold"}]},
        {},
        [],
    ]:
        r = owner.patch(f"{LISTS}{words.pk}/", body, format="json")
        assert r.status_code < 500 and "code" in r.json(), (
            body,
            r.status_code,
            r.content[:300],
        )
    for body in [
        {"list": None},
        {"list": "1"},
        {"list": -1},
        {"list": 2**62},
        {"list": hidden.pk},
        {"list": words.pk},
    ]:
        r = owner.post("/api/journals/alpha/subscriptions/", body, format="json")
        assert r.status_code < 500 and "code" in r.json(), (
            body,
            r.status_code,
            r.content[:300],
        )
    beta = as_user(journal_b.owner)
    assert beta.get(f"{LISTS}{hidden.pk}/").status_code == 404
    assert (
        beta.patch(
            f"{LISTS}{words.pk}/", {"description": "mine"}, format="json"
        ).status_code
        == 403
    )
    assert beta.post(f"{LISTS}{words.pk}/unpublish/").status_code == 403
    assert (
        beta.post(
            "/api/journals/beta/subscriptions/", {"list": hidden.pk}, format="json"
        ).status_code
        == 404
    )
    r = beta.post("/api/journals/beta/subscriptions/", {"list": bans.pk}, format="json")
    assert r.status_code == 201
    body = (
        str(beta.get(f"{LISTS}{bans.pk}/").json())
        + str(beta.get(f"{LISTS}{bans.pk}/versions/").json())
        + str(beta.get("/api/journals/beta/subscriptions/").json())
    )
    assert "mod_a" not in body and journal_a.owner.username not in body, body
    mod = as_user(journal_b.moderators.get())
    assert (
        mod.post(
            "/api/journals/beta/subscriptions/", {"list": words.pk}, format="json"
        ).status_code
        == 404
    )
    assert mod.get(f"{LISTS}{words.pk}/").status_code == 404
    log = beta.get("/api/moderation/log/", {"journal": "beta"}).content.decode()
    assert "mod_a" not in log and journal_a.owner.username not in log, log
