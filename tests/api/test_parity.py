"""A client can do what the pages do: screen and unscreen, dismiss reports, ban
and screen authors and lift them, and see the revision a decision names."""

from __future__ import annotations

import pytest

from journal.models import Comment, CommentState
from moderation.models import AuditEntry, AuthorRestriction, Report
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_moderator_marks_a_published_comment_as_spam_from_what_the_api_shows(
    as_user, mod_a, post_a, author
):
    comment = CommentFactory(post=post_a, author=author)
    api = as_user(mod_a)

    shown = api.get(f"/api/comments/{comment.pk}/").json()
    response = api.post(
        "/api/moderation/decisions/",
        {
            "items": [
                {
                    "comment": comment.pk,
                    "state_seen": shown["state"],
                    "revision_seen": shown["revision"],
                }
            ],
            "action": "spam",
        },
        format="json",
    )

    assert shown["revision"] == 1
    assert response.json()["outcomes"][0]["code"] == "done"
    comment.refresh_from_db()
    assert comment.state == CommentState.SPAM


def test_screening_and_unscreening_through_the_api(as_user, mod_a, post_a, author):
    comment = CommentFactory(post=post_a, author=author)
    api = as_user(mod_a)

    preview = api.post(f"/api/comments/{comment.pk}/screen/?preview=true")
    comment.refresh_from_db()
    assert preview.status_code == 200 and comment.state == CommentState.PUBLISHED

    assert api.post(f"/api/comments/{comment.pk}/screen/").status_code == 200
    comment.refresh_from_db()
    assert comment.state == CommentState.HELD and comment.moderator_screened
    again = api.post(f"/api/comments/{comment.pk}/screen/")
    assert again.status_code == 409

    assert api.post(f"/api/comments/{comment.pk}/unscreen/").status_code == 200
    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED


def test_dismissing_reports_through_the_api(as_user, mod_a, mod_b, post_a, author):
    comment = CommentFactory(post=post_a, author=author)
    Report.objects.create(
        comment=comment,
        journal=post_a.journal,
        reporter=UserFactory(username="flagger"),
        reason="spam",
    )

    elsewhere = as_user(mod_b).post(
        "/api/moderation/dismissals/", {"comments": [comment.pk]}, format="json"
    )
    response = as_user(mod_a).post(
        "/api/moderation/dismissals/",
        {"comments": [comment.pk], "note": "fine"},
        format="json",
    )

    assert elsewhere.status_code == 404
    assert response.json() == {"dismissed": 1}
    assert Report.objects.get().dismissed_at is not None  # closed, kept
    assert AuditEntry.objects.filter(action="report.dismiss").count() == 1


def test_banning_screening_and_lifting_through_the_api(as_user, mod_a, mod_b, author):
    # as_user re-authenticates one client: each call says who is asking.
    ban = as_user(mod_a).post(
        "/api/moderation/restrictions/",
        {"journal": "alpha", "username": "writer", "kind": "ban", "reason": "spam"},
        format="json",
    )
    foreign = as_user(mod_b).post(
        "/api/moderation/restrictions/",
        {"journal": "alpha", "username": "writer", "kind": "ban"},
        format="json",
    )
    unknown = as_user(mod_a).post(
        "/api/moderation/restrictions/",
        {"journal": "alpha", "username": "nobody_here", "kind": "screen"},
        format="json",
    )

    assert ban.status_code == 201 and ban.json()["active"] is True
    assert (foreign.status_code, unknown.status_code) == (404, 404)
    listed = as_user(mod_a).get("/api/moderation/restrictions/?journal=alpha")
    assert [r["username"] for r in listed.json()["results"]] == ["writer"]
    assert as_user(mod_b).get("/api/moderation/restrictions/").json()["results"] == []

    lift = f"/api/moderation/restrictions/{ban.json()['id']}/lift/"
    assert as_user(mod_b).post(lift).status_code == 404
    lifted = as_user(mod_a).post(lift)
    assert lifted.status_code == 200 and lifted.json()["active"] is False
    assert as_user(mod_a).post(lift).status_code == 409
    assert AuthorRestriction.objects.count() == 1  # the row stays
    assert AuditEntry.objects.filter(action="author.ban_lifted").count() == 1


def test_only_insiders_see_the_revision(api, as_user, post_a, author):
    comment = CommentFactory(post=post_a, author=author)

    stranger = api.get(f"/api/comments/{comment.pk}/").json()
    own = as_user(author).get(f"/api/comments/{comment.pk}/").json()

    assert stranger["revision"] is None and own["revision"] == 1
    assert Comment.objects.count() == 1
