"""Trust is earned from moderators' decisions (and, where allowed, from comments
that stood unchallenged); an approval covers the revision approved; the queue
shows what trust rests on and what changed since an approval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from journal import services as journal_services
from journal.models import Comment, CommentState, Screening
from moderation import services
from moderation.models import AuditEntry, Report
from moderation.services import Seen
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db

LINKS = "https://a.example.com/ https://b.example.com/ https://c.example.com/"


def approve(moderator, comment):
    comment.refresh_from_db()
    [outcome] = services.decide(
        moderator=moderator,
        items=[Seen(comment.pk, comment.state, comment.revision)],
        decision="approve",
    )
    assert outcome.done
    comment.refresh_from_db()


def post_as(author, post, body, **kwargs):
    return journal_services.submit_comment(
        post=post, author=author, body=body, **kwargs
    )


@pytest.fixture
def screened_journal(journal_a):
    journal_a.screening = Screening.ALL
    journal_a.save()
    return journal_a


def test_undoing_the_approval_takes_the_trust_back(
    mod_a, post_a, author, screened_journal
):
    first = post_as(author, post_a, "harmless")
    approve(mod_a, first)
    assert post_as(author, post_a, "trusted now").state == CommentState.PUBLISHED

    services.undo(
        moderator=mod_a,
        entry_id=AuditEntry.objects.get(action="comment.approve").pk,
    )

    first.refresh_from_db()
    assert (first.state, first.approved_revision) == (CommentState.HELD, None)
    assert post_as(author, post_a, "trusted again?").state == CommentState.HELD


def test_unscreening_approves_and_undoing_a_screening_lifts_it(mod_a, post_a, author):
    comment = CommentFactory(post=post_a, author=author)
    services.screen_comment(moderator=mod_a, comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.moderator_screened and comment.is_held

    services.undo(
        moderator=mod_a, entry_id=AuditEntry.objects.get(action="comment.screen").pk
    )
    comment.refresh_from_db()
    assert not comment.moderator_screened and comment.state == "published"

    services.screen_comment(moderator=mod_a, comment_id=comment.pk)
    services.screen_comment(moderator=mod_a, comment_id=comment.pk, screened=False)
    comment.refresh_from_db()
    assert (comment.state, comment.moderator_screened, comment.approved_revision) == (
        CommentState.PUBLISHED,
        False,
        1,
    )


def test_comments_that_stood_count_only_where_the_owner_allows_and_unchallenged(
    journal_a, post_a, author, mod_a
):
    journal_a.screening = Screening.ALL
    journal_a.trusted_after = 2
    journal_a.save()
    old = timezone.now() - timedelta(days=40)
    stood = [CommentFactory(post=post_a, author=author) for _ in range(2)]
    Comment.objects.filter(pk__in=[c.pk for c in stood]).update(created_at=old)

    assert post_as(author, post_a, "days off").state == CommentState.HELD

    journal_a.trust_after_days = 30
    journal_a.save()
    trusted = post_as(author, post_a, "days on")
    assert trusted.state == CommentState.PUBLISHED
    assert "2 more stood 30 days unchallenged" in trusted.reasons[0]["message"]

    # An open report, or a screening ever made, means the comment was challenged.
    Report.objects.create(
        comment=stood[0],
        journal=journal_a,
        reporter=UserFactory(username="flagger"),
        reason="spam",
    )
    assert post_as(author, post_a, "reported").state == CommentState.HELD


def test_the_queue_shows_what_trust_rests_on(client, mod_a, journal_a, post_a, author):
    journal_a.trusted_after = 2
    journal_a.save()
    approved = hold(CommentFactory(post=post_a, author=author))
    approve(mod_a, approved)
    CommentFactory(post=post_a, author=author, body_source="never reviewed")
    hold(CommentFactory(post=post_a, author=author, body_source="waiting"))
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()
    api = client.get("/api/moderation/queue/").json()["results"][0]["author_record"]

    assert "Trust: 1 approved by a moderator; not trusted yet (1 of 2)." in page
    assert (api["approved"], api["trusted"]) == (1, False)


def test_an_approved_comment_edited_into_spam_shows_the_changes_in_the_queue(
    client, mod_a, post_a, author, screened_journal
):
    comment = post_as(author, post_a, "I agree with the article")
    approve(mod_a, comment)
    journal_services.edit_comment(
        comment=comment, editor=author, body=f"I agree, buy pills {LINKS}"
    )
    comment.refresh_from_db()
    assert comment.state == CommentState.HELD
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()
    api = client.get("/api/moderation/queue/").json()["results"][0]

    assert "Edited after a moderator approved revision 1" in page
    assert "<del>agree with the article</del>" in page
    assert "<ins>agree, buy pills https://a.example.com/ " in page
    assert api["approved_revision"] == 1
    assert {"kind": "removed", "text": "agree with the article"} in api[
        "changes_since_approval"
    ]


def test_an_edit_is_vouched_for_by_the_authors_other_approvals_never_its_own(
    mod_a, post_a, author, screened_journal
):
    comment = post_as(author, post_a, "first")
    approve(mod_a, comment)
    trusted = post_as(author, post_a, "second, published on trust alone")
    assert trusted.state == CommentState.PUBLISHED

    # Its own approval cannot vouch for an edit, and "second" was never approved.
    journal_services.edit_comment(comment=comment, editor=author, body="first, fixed")
    comment.refresh_from_db()
    assert comment.state == CommentState.HELD

    approve(mod_a, comment)
    other = post_as(author, post_a, "third")
    approve(mod_a, hold(other))
    journal_services.edit_comment(comment=comment, editor=author, body="first, again")
    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED
    assert "trusted.author" in comment.rule_codes
