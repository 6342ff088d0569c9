"""Ways around issue 15's pages found by attacking the running site: the
comment drafts, the preview, replies to what cannot be read, Spam and ban,
and notes on decisions that carry none. Every test here failed before its fix."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from journal import services as services_module
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
        services_module, "clean_comment_body", lambda text: cleaned.append(text) or text
    )

    for _ in range(3):
        page = reader_client.get(response["Location"]).content.decode()
        assert "<b>once</b>" in page

    assert cleaned == []


def test_a_text_too_long_to_post_is_not_previewed(reader_client, post, monkeypatch):
    cleaned = []
    monkeypatch.setattr(
        services_module, "clean_comment_body", lambda text: cleaned.append(text) or text
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


# Second round: markup built to make cleaning slow or huge is refused -------------

FORMATTING = "".join(f"<b title={n}>" for n in range(32))
HOSTILE = {
    "formatting re-created after each item": "<li>" + FORMATTING + "<li>x" * 3991,
    "a long attribute re-created": (
        "<li><a title=" + "x" * 9000 + "><b><b><b>" + "<li>x" * 4000
    )[:20000],
    "closing tags that close nothing": "<b></i>" * 3000,
    "bold in every item": "<li><b>" * 3000,
    "growth within the tag count": "<li>"
    + "".join(f"<a title={'x' * 1990}{n}>" for n in range(8))
    + "<li>x" * 480,
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_markup_built_to_be_slow_or_huge_is_refused_at_every_door(
    reader_client, reader, post, as_user, body
):
    body = body[:20_000]  # within the length limit: the markup is the problem
    response = reader_client.post(comment_url(post), {"body": body})
    page = reader_client.get(response["Location"]).content.decode()
    assert "more formatting than a comment may" in page

    api = as_user(reader).post(
        f"/api/posts/{post.pk}/comments/", {"body": body}, format="json"
    )
    assert api.status_code == 400
    assert api.json()["errors"]["body"]

    preview = reader_client.post(comment_url(post), {"body": body, "preview": "1"})
    assert preview["Location"].endswith("#error-summary")
    assert not Comment.objects.exists()


def test_an_edit_cannot_bring_hostile_markup_either(reader_client, reader, post):
    comment = CommentFactory(post=post, author=reader)

    response = reader_client.post(
        f"/{post.journal.name}/{post.pk}/comments/{comment.pk}/edit/",
        {"body": HOSTILE["bold in every item"][:20_000]},
    )

    assert response.status_code == 400
    assert Comment.objects.get(pk=comment.pk).body_source == comment.body_source


def test_a_closing_tag_counts_only_when_it_closes_something():
    from journal.sanitize import clean_comment_body

    text = "<b></i>" * 200 + "end"
    cleaned = clean_comment_body(text)

    assert cleaned.count("<b>") <= 8
    assert clean_comment_body(cleaned) == cleaned


def test_tags_inside_an_html_comment_do_not_count():
    from journal.sanitize import clean_comment_body

    cleaned = clean_comment_body("<!--" + "<b>" * 40 + "-->" + "<b>bold</b>")

    assert cleaned == "<b>bold</b>"


# Second round: undoing a spam decision takes back only its own ban ----------------


def ban_entry_undo(mod, action="comment.spam", nth=0):
    entry = AuditEntry.objects.filter(action=action).order_by("pk")[nth]
    return services.undo(moderator=mod, entry_id=entry.pk)


def test_undo_leaves_a_ban_the_owner_set_after_it(
    client, mod_a, journal_a, post_a, author
):
    client.force_login(mod_a)
    spam_and_ban(client, hold(CommentFactory(post=post_a, author=author)), "2099-01-01")
    services.restrict_author(
        journal=journal_a,
        user=author,
        kind=AuthorRestriction.Kind.BAN,
        by=journal_a.owner,
    )

    ban_entry_undo(mod_a)

    ban = AuthorRestriction.objects.get(user=author)
    assert ban.is_active and ban.until is None


def test_undoing_the_first_of_two_spam_bans_leaves_the_second(
    client, mod_a, post_a, author
):
    client.force_login(mod_a)
    spam_and_ban(client, hold(CommentFactory(post=post_a, author=author)), "2099-01-01")
    spam_and_ban(client, hold(CommentFactory(post=post_a, author=author)))

    ban_entry_undo(mod_a, nth=0)

    ban = AuthorRestriction.objects.get(user=author)
    assert ban.is_active and ban.until is None


def test_undo_does_not_bring_back_a_ban_the_owner_lifted(
    client, mod_a, journal_a, post_a, author
):
    services.restrict_author(
        journal=journal_a,
        user=author,
        kind=AuthorRestriction.Kind.BAN,
        by=journal_a.owner,
        until=timezone.now() + datetime.timedelta(days=5),
    )
    client.force_login(mod_a)
    spam_and_ban(client, hold(CommentFactory(post=post_a, author=author)))
    services.lift_restriction(
        restriction=AuthorRestriction.objects.get(user=author), by=journal_a.owner
    )

    ban_entry_undo(mod_a)

    assert not AuthorRestriction.objects.get(user=author).is_active


def test_undoing_a_ban_entry_puts_back_the_ban_it_replaced(
    client, mod_a, journal_a, post_a, author
):
    soon = timezone.now() + datetime.timedelta(days=5)
    services.restrict_author(
        journal=journal_a,
        user=author,
        kind=AuthorRestriction.Kind.BAN,
        by=journal_a.owner,
        until=soon,
    )
    client.force_login(mod_a)
    spam_and_ban(client, hold(CommentFactory(post=post_a, author=author)))

    ban_entry_undo(mod_a, action="author.ban", nth=1)

    assert AuthorRestriction.objects.get(user=author).until == soon


def test_a_note_typed_in_the_reject_panel_never_becomes_a_bans_reason(
    client, mod_a, post_a, author
):
    comment = hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)

    client.post(
        "/moderation/act/",
        {
            "bulk": "spam",
            "selected": token(comment),
            "bulk-ban": "1",
            "bulk-note": "Reject note typed for authors",
        },
    )

    ban = AuthorRestriction.objects.get(user=author)
    assert "Reject note" not in ban.reason
