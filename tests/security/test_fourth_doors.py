"""Ways around issue 15's pages found by attacking the running site: the
comment drafts, the preview, replies to what cannot be read, Spam and ban,
and notes on decisions that carry none. Every test here failed before its fix."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from journal import views
from journal.models import Comment, CommentAccess, CommentState
from moderation import services
from moderation.models import AuditEntry, AuthorRestriction
from tests.factories import CommentFactory, human_form_fields
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db


def comment_url(post) -> str:
    return f"/{post.journal.name}/{post.pk}/comment/"


# Sessions never push the anti-bot and rate-limit keys out of the cache -----------


def test_a_flood_of_new_sessions_does_not_make_a_spent_challenge_good_again(
    client, post
):
    fields = {"body": "first and only", **human_form_fields(post)}
    assert client.post(comment_url(post), fields).status_code == 302

    # More refused anonymous posts, each a new session with a draft, than the
    # local-memory cache holds keys.
    for _ in range(320):
        Client().post(comment_url(post), {"body": ""})

    again = client.post(comment_url(post), {**fields, "body": "the same proof again"})
    assert again.status_code == 303
    assert Comment.objects.count() == 1


def test_nothing_is_kept_for_a_visitor_who_may_not_comment_here(client, post):
    post.journal.comment_access = CommentAccess.REGISTERED
    post.journal.save()

    response = client.post(comment_url(post), {"body": "x" * 5000})

    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}#add-comment"
    assert "sessionid" not in response.cookies


def test_an_anonymous_draft_lasts_a_day_not_two_weeks(client, post):
    response = client.post(comment_url(post), {"body": ""})

    assert response.cookies["sessionid"]["max-age"] == views.ANONYMOUS_DRAFT_SECONDS


def test_a_draft_keeps_no_more_than_a_little_over_the_limit(reader_client, post):
    reader_client.post(comment_url(post), {"body": "y" * 100_000})

    draft = reader_client.session[views.DRAFTS_SESSION_KEY][str(post.pk)]
    assert len(draft["typed"]["body"]) <= 21_000


# The preview is cleaned once, and only for a text the write path would take ------


def test_a_preview_is_cleaned_once_not_on_every_reload(
    reader_client, post, monkeypatch
):
    response = reader_client.post(
        comment_url(post), {"body": "<b>once</b>", "preview": "1"}
    )
    cleaned = []
    monkeypatch.setattr(
        views, "clean_comment_body", lambda text: cleaned.append(text) or text
    )

    for _ in range(3):
        page = reader_client.get(response["Location"]).content.decode()
        assert "<b>once</b>" in page

    assert cleaned == []


def test_a_text_too_long_to_post_is_not_previewed(reader_client, post, monkeypatch):
    cleaned = []
    monkeypatch.setattr(
        views, "clean_comment_body", lambda text: cleaned.append(text) or text
    )

    response = reader_client.post(
        comment_url(post), {"body": "<ul><li>" * 5000, "preview": "1"}
    )

    assert response["Location"].endswith("#error-summary")
    page = reader_client.get(response["Location"]).content.decode()
    assert 'id="preview"' not in page
    assert "at most 20,000 characters" in page
    assert cleaned == []


def test_a_bot_that_filled_the_trap_finds_it_filled_again(client, post):
    fields = {**human_form_fields(post), "website": "http://spam.example"}

    response = client.post(comment_url(post), {**fields, "body": "buy now"})

    page = client.get(response["Location"]).content.decode()
    assert 'value="http://spam.example"' in page


# Replies only to what the viewer may read -------------------------------------------


def test_replying_to_a_deleted_comment_is_a_404_and_names_nobody(client, post, reader):
    mine = CommentFactory(post=post, author=reader)
    CommentFactory(post=post, parent=mine)
    Comment.objects.filter(pk=mine.pk).update(state=CommentState.DELETED)

    response = client.get(f"{post.get_absolute_url()}?replyto={mine.pk}")

    assert response.status_code == 404
    assert reader.public_name not in response.content.decode()


def test_replying_to_a_screened_comment_is_a_404_for_readers(client, post, reader):
    screened = hold(CommentFactory(post=post, author=reader))
    CommentFactory(post=post, parent=screened)

    response = client.get(f"{post.get_absolute_url()}?replyto={screened.pk}")

    assert response.status_code == 404


def test_a_moderator_asked_to_reply_to_a_removed_comment_is_told_why_not(
    client, post, owner
):
    removed = CommentFactory(post=post, state=CommentState.REMOVED)
    client.force_login(owner)

    page = client.get(f"{post.get_absolute_url()}?replyto={removed.pk}")

    text = page.content.decode()
    assert "Only published comments can be answered" in text
    assert 'name="body"' not in text


# Spam and ban never lifts or shortens a ban; its undo takes the ban back ----------


def spam_and_ban(client, comment, until: str = ""):
    return client.post(
        "/moderation/act/",
        {f"until-{comment.pk}": until, "act": f"spamban:{token(comment)}"},
    )


def test_spam_and_ban_never_shortens_a_running_ban(client, mod_a, post_a, author):
    client.force_login(mod_a)
    spam_and_ban(client, hold(CommentFactory(post=post_a, author=author)))
    assert AuthorRestriction.objects.get(user=author).until is None

    later = hold(CommentFactory(post=post_a, author=author))
    spam_and_ban(client, later, until="2099-01-01")

    ban = AuthorRestriction.objects.get(user=author)
    assert ban.until is None
    assert Comment.objects.get(pk=later.pk).state == CommentState.SPAM


def test_a_ban_ending_in_the_past_is_refused(client, mod_a, post_a, author):
    comment = hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)

    response = client.post(
        "/moderation/act/",
        {f"until-{comment.pk}": "2001-01-01", "act": f"spamban:{token(comment)}"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "ban.until"
    assert Comment.objects.get(pk=comment.pk).state == CommentState.HELD
    assert not AuthorRestriction.objects.exists()


def test_undoing_spam_and_ban_lifts_the_ban_it_brought(client, mod_a, post_a, author):
    comment = hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)
    spam_and_ban(client, comment)
    decision = AuditEntry.objects.get(action="comment.spam")

    services.undo(moderator=mod_a, entry_id=decision.pk)

    assert not AuthorRestriction.objects.get(user=author).is_active
    ban = AuditEntry.objects.get(action="author.ban")
    assert AuditEntry.objects.filter(undoes=ban).exists()


def test_undoing_it_puts_back_the_shorter_ban_that_ran_before(
    client, mod_a, journal_a, post_a, author
):
    soon = timezone.now() + datetime.timedelta(days=2)
    services.restrict_author(
        journal=journal_a,
        user=author,
        kind=AuthorRestriction.Kind.BAN,
        by=journal_a.owner,
        until=soon,
    )
    comment = hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)
    spam_and_ban(client, comment)  # no end date: for good
    assert AuthorRestriction.objects.get(user=author).until is None

    services.undo(
        moderator=mod_a, entry_id=AuditEntry.objects.get(action="comment.spam").pk
    )

    assert AuthorRestriction.objects.get(user=author).until == soon


# Only a rejection carries a reason and a note --------------------------------------


@pytest.mark.parametrize("decision", ["approve", "spam"])
def test_a_note_typed_in_the_reject_panel_is_not_recorded_on_another_decision(
    client, mod_a, held_a, decision
):
    client.force_login(mod_a)

    client.post(
        "/moderation/act/",
        {
            "act": f"{decision}:{token(held_a)}",
            f"note-{held_a.pk}": "typed, then pressed another button",
            "bulk-note": "typed in the bulk bar",
        },
    )

    entry = AuditEntry.objects.get(action=f"comment.{decision}")
    assert entry.note == ""
    assert Comment.objects.get(pk=held_a.pk).moderator_note == ""


def test_select_all_is_for_the_page_shown_not_the_next(client, mod_a, post_a, author):
    for _ in range(2):
        hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)

    page = client.get("/moderation/?select=all").content.decode()

    assert 'name="next" value="/moderation/"' in page
    assert 'name="next" value="/moderation/?select=all"' not in page
