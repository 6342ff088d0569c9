"""Appeals through the pages: the author appeals where the rejection notice (or
"You are banned") shows, another moderator grants or denies it in the queue's
Appeals tab, and the author is told on the page and by mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import Appeal, AuditEntry, AuthorRestriction
from tests.factories import CommentFactory, UserFactory
from tests.journal.html_tree import parse
from tests.two_journals import token

pytestmark = pytest.mark.django_db

WHY = "I was answering the question in the post about the quay lights."


def reject(moderator, comment, *, reason="off_topic", note="Keep to the post"):
    [outcome] = services.decide(
        moderator=moderator,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason=reason,
        note=note,
    )
    assert outcome.done
    comment.refresh_from_db()
    return AuditEntry.objects.get(pk=outcome.entry_id)


@pytest.fixture
def rejected(post_a, author, mod_a):
    comment = CommentFactory(post=post_a, author=author, body_source="about the quay")
    reject(mod_a, comment)
    return comment


@pytest.fixture
def owner_a(journal_a):
    return journal_a.owner


def appeal_url(comment):
    return f"/moderation/appeal/comment/{comment.pk}/"


def post_page(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# The author appeals from the post page -----------------------------------------------


def test_the_rejected_comments_author_finds_the_appeal_form_below_the_notice(
    client, author, rejected, post_a
):
    client.force_login(author)

    tree = parse(post_page(client, post_a))

    item = tree.by_id(f"t{rejected.pk}")
    assert "A moderator rejected this comment" in item.text()
    form = item.find("form", cls="appeal-form")
    assert form.attrs["action"] == appeal_url(rejected)
    assert form.attrs["method"] == "post"
    assert form.find("input", name="csrfmiddlewaretoken") is not None
    assert form.find("textarea", name="text").attrs["maxlength"] == "2000"
    assert "Appeal this decision" in item.text()


def test_other_readers_and_moderators_see_no_appeal_form(
    client, rejected, post_a, mod_a
):
    client.force_login(UserFactory())
    assert "appeal-form" not in post_page(client, post_a)
    client.force_login(mod_a)
    assert "appeal-form" not in post_page(client, post_a)


def test_a_page_appeal_granted_publishes_the_comment_and_tells_the_author(
    client,
    author,
    rejected,
    post_a,
    owner_a,
    mod_a,
    django_capture_on_commit_callbacks,
):
    client.force_login(author)
    sent = client.post(
        appeal_url(rejected),
        {"text": WHY, "next": f"{post_a.get_absolute_url()}#t{rejected.pk}"},
        follow=True,
    )
    assert sent.redirect_chain[-1][0].startswith(post_a.get_absolute_url())
    page = sent.content.decode()
    assert "Your appeal was sent." in page
    assert "You appealed on" in page
    appeal = Appeal.objects.get()
    assert (appeal.author, appeal.comment, appeal.text, appeal.state) == (
        author,
        rejected,
        WHY,
        "open",
    )
    assert appeal.decision.action == "comment.reject"

    # mod_a rejected it: the owner, the journal's other moderator, decides.
    client.force_login(owner_a)
    queue = client.get("/moderation/?tab=appeals").content.decode()
    assert WHY in queue and "Keep to the post" in queue
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/moderation/appeals/{appeal.pk}/decide/",
            {"outcome": "grant", "answer": "You are right, it was on topic."},
            follow=True,
        )
    assert "granted" in response.content.decode()

    rejected.refresh_from_db()
    appeal.refresh_from_db()
    assert rejected.state == CommentState.PUBLISHED
    assert (appeal.state, appeal.decided_by, appeal.answer) == (
        "granted",
        owner_a,
        "You are right, it was on topic.",
    )
    undo = AuditEntry.objects.get(undoes=appeal.decision)
    assert undo.action == "undo" and undo.data == {"appeal": appeal.pk}
    outcome = AuditEntry.objects.get(action="appeal.grant")
    assert outcome == appeal.outcome and outcome.actor == owner_a
    assert outcome.note == "You are right, it was on topic."
    [message] = [m for m in mail.outbox if m.to == ["w@example.org"]]
    assert message.subject == "Your appeal in Alpha Journal was granted"
    assert "You are right, it was on topic." in message.body
    assert owner_a.username not in message.body

    client.force_login(author)
    item = parse(post_page(client, post_a)).by_id(f"t{rejected.pk}")
    assert "Your appeal was granted: “You are right, it was on topic.”" in item.text()
    assert item.find("form", cls="appeal-form") is None


def test_a_page_appeal_denied_leaves_the_comment_rejected_and_tells_the_author(
    client,
    author,
    rejected,
    post_a,
    owner_a,
    django_capture_on_commit_callbacks,
):
    client.force_login(author)
    client.post(appeal_url(rejected), {"text": WHY})
    appeal = Appeal.objects.get()

    client.force_login(owner_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/moderation/appeals/{appeal.pk}/decide/",
            {"outcome": "deny", "answer": "It was about another post."},
        )

    rejected.refresh_from_db()
    appeal.refresh_from_db()
    assert rejected.state == CommentState.REJECTED
    assert appeal.state == "denied"
    assert not AuditEntry.objects.filter(undoes=appeal.decision).exists()
    assert AuditEntry.objects.get(action="appeal.deny").note == (
        "It was about another post."
    )
    [message] = [m for m in mail.outbox if m.to == ["w@example.org"]]
    assert message.subject == "Your appeal in Alpha Journal was denied"
    assert "It was about another post." in message.body

    client.force_login(author)
    item = parse(post_page(client, post_a)).by_id(f"t{rejected.pk}")
    assert "Your appeal was denied: “It was about another post.”" in item.text()
    assert item.find("form", cls="appeal-form") is None


def test_a_banned_author_appeals_above_the_form_and_granting_lifts_the_ban(
    client, author, journal_a, post_a, mod_a, owner_a
):
    services.restrict_author(
        journal=journal_a, user=author, kind="ban", by=mod_a, reason="Rude"
    )
    client.force_login(author)

    section = parse(post_page(client, post_a)).by_id("add-comment")
    assert "You are banned from commenting in this journal" in section.text()
    form = section.find("form", cls="appeal-form")
    assert form.attrs["action"] == "/moderation/appeal/alpha/ban/"
    # The ban's reason is the moderators' note for the log, not told here.
    assert "Rude" not in section.text()

    client.post(form.attrs["action"], {"text": "I was not rude.", "next": "/"})
    appeal = Appeal.objects.get()
    assert appeal.comment is None and appeal.decision.action == "author.ban"
    assert (
        "You appealed on"
        in parse(post_page(client, post_a)).by_id("add-comment").text()
    )

    client.force_login(owner_a)
    client.post(
        f"/moderation/appeals/{appeal.pk}/decide/",
        {"outcome": "grant", "answer": "The ban is lifted."},
    )

    assert not AuthorRestriction.objects.active().filter(user=author).exists()
    client.force_login(author)
    section = parse(post_page(client, post_a)).by_id("add-comment")
    assert "Your appeal was granted: “The ban is lifted.”" in section.text()
    assert section.find("textarea", name="body") is not None


def test_a_screened_author_may_appeal_the_screening_above_the_form(
    client, author, journal_a, post_a, mod_a
):
    services.restrict_author(journal=journal_a, user=author, kind="screen", by=mod_a)
    client.force_login(author)

    section = parse(post_page(client, post_a)).by_id("add-comment")

    assert section.find("textarea", name="body") is not None
    form = section.find("form", cls="appeal-form")
    assert form.attrs["action"] == "/moderation/appeal/alpha/screen/"
    assert "Appeal the screening" in section.text()
    assert "Your comments in this journal wait for a moderator" in section.text()


def test_the_appeal_has_a_page_of_its_own_that_says_what_was_decided(
    client, author, rejected
):
    client.force_login(author)

    page = client.get(appeal_url(rejected)).content.decode()

    assert "about the quay" in page
    assert "Reason: Off-topic (“Keep to the post”)." in page
    assert 'name="text"' in page and "You may appeal once, until" in page


# What may not be appealed ---------------------------------------------------------


def test_bad_text_is_a_400_that_keeps_the_text_and_stores_nothing(
    client, author, rejected
):
    client.force_login(author)

    empty = client.post(appeal_url(rejected), {"text": "   "})
    long = client.post(appeal_url(rejected), {"text": "x" * 2001})

    assert empty.status_code == 400
    assert "Say why the decision was wrong." in empty.content.decode()
    assert long.status_code == 400
    assert "At most 2,000 characters (this has 2,001)" in long.content.decode()
    assert "x" * 2001 in long.content.decode()
    assert not Appeal.objects.exists()


def test_a_second_appeal_of_the_same_decision_is_refused(client, author, rejected):
    client.force_login(author)
    client.post(appeal_url(rejected), {"text": WHY})

    again = client.post(appeal_url(rejected), {"text": "Once more"})

    assert again.status_code == 409
    assert "You already appealed this decision" in again.content.decode()
    assert Appeal.objects.count() == 1


def test_an_appeal_after_the_journals_days_is_refused(
    client, author, rejected, journal_a
):
    AuditEntry.objects.filter(action="comment.reject").update(
        created_at=timezone.now() - timedelta(days=15)
    )
    client.force_login(author)

    late = client.post(appeal_url(rejected), {"text": WHY})

    assert late.status_code == 403
    assert "may be appealed for 14 days" in late.content.decode()
    assert not Appeal.objects.exists()
    assert "appeal-form" not in post_page(client, rejected.post)


def test_a_journal_with_appeals_off_takes_none(client, author, rejected, journal_a):
    journal_a.appeal_days = 0
    journal_a.save()
    client.force_login(author)

    refused = client.post(appeal_url(rejected), {"text": WHY})

    assert refused.status_code == 403
    assert not Appeal.objects.exists()
    assert "appeal-form" not in post_page(client, rejected.post)


def test_an_undone_decision_cannot_be_appealed(client, author, rejected, mod_a):
    entry = AuditEntry.objects.get(action="comment.reject")
    services.undo(moderator=mod_a, entry_id=entry.pk)
    client.force_login(author)

    refused = client.post(appeal_url(rejected), {"text": WHY})

    assert refused.status_code == 403  # the comment is no longer rejected
    assert not Appeal.objects.exists()


def test_someone_elses_comment_is_a_404_like_a_missing_one(client, rejected):
    client.force_login(UserFactory())

    assert client.post(appeal_url(rejected), {"text": WHY}).status_code == 404
    assert client.get(appeal_url(rejected)).status_code == 404
    missing = f"/moderation/appeal/comment/{rejected.pk + 1000}/"
    assert client.post(missing, {"text": WHY}).status_code == 404
    assert not Appeal.objects.exists()


def test_a_published_comment_has_nothing_to_appeal(client, author, post_a):
    comment = CommentFactory(post=post_a, author=author)
    client.force_login(author)

    refused = client.post(appeal_url(comment), {"text": WHY})

    assert refused.status_code == 403
    assert "there is no decision to appeal" in refused.content.decode()
    assert not Appeal.objects.exists()


def test_an_author_who_is_not_banned_has_no_ban_to_appeal(client, author, journal_a):
    client.force_login(author)

    refused = client.post("/moderation/appeal/alpha/ban/", {"text": WHY})

    assert refused.status_code == 403
    assert client.get("/moderation/appeal/alpha/mute/").status_code == 404
    assert not Appeal.objects.exists()


def test_appealing_needs_a_login_and_a_csrf_token(rejected, author):
    from django.test import Client

    anonymous = Client()
    assert anonymous.post(appeal_url(rejected), {"text": WHY}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    assert strict.post(appeal_url(rejected), {"text": WHY}).status_code == 403
    assert not Appeal.objects.exists()


def test_the_comments_standing_is_one_query_for_the_whole_page(
    client, author, post_a, mod_a, django_assert_num_queries
):
    comments = [CommentFactory(post=post_a, author=author) for _ in range(3)]
    for comment in comments:
        reject(mod_a, comment)
    client.force_login(author)
    post_page(client, post_a)  # keeps the top bar's count in the cache

    # The user, the post, its comments, its tags, and the author's standings
    # with the decisions on all of them.
    with django_assert_num_queries(5):
        page = post_page(client, post_a)

    assert page.count('class="stacked-form appeal-form"') == 3
    assert Comment.objects.filter(state="rejected").count() == 3


def test_a_reader_without_decisions_pays_no_query_for_appeals(
    client, author, post_a, django_assert_num_queries
):
    CommentFactory(post=post_a, author=author)
    client.force_login(author)
    post_page(client, post_a)

    with django_assert_num_queries(4):  # the user, the post, comments, tags
        post_page(client, post_a)
