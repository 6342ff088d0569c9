"""Readers' reports weighted by their record, and the strike ladder, by scenario."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from journal.models import CommentState
from moderation import reporters, services, strikes
from moderation.models import AuditEntry, AuthorRestriction, Report
from moderation.services import Seen
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db


def test_report_weights():
    assert reporters.weight_of(0, 0) == 1.0
    assert reporters.weight_of(3, 0) == 2.0  # 1 + 1 · log4(4)
    assert reporters.weight_of(15, 0) == 3.0  # 1 + 1 · log4(16)
    assert reporters.weight_of(1, 1) == 1.0  # half upheld: no bonus
    assert reporters.weight_of(0, 1) == 0.5  # 1 - log4(2)
    assert reporters.weight_of(0, 3) == 0.0  # always dismissed: moves nothing
    assert reporters.weight_of(0, 30) == 0.0


def published(post, author):
    return CommentFactory(post=post, author=author, state=CommentState.PUBLISHED)


def settle(mod, reader, post, author, *, upheld: int, dismissed: int):
    """Give ``reader`` a record: reports a moderator upheld or dismissed."""
    for _ in range(upheld):
        comment = published(post, author)
        services.report_comment(comment=comment, reporter=reader, reason="spam")
        services.decide(
            moderator=mod, items=[Seen(comment.pk, "published", 1)], decision="spam"
        )
    for _ in range(dismissed):
        comment = published(post, author)
        services.report_comment(comment=comment, reporter=reader, reason="spam")
        services.dismiss_reports(moderator=mod, comment_ids=[comment.pk])


def test_weighty_reports_screen_a_comment_until_a_moderator_looks(
    mod_a, post_a, author
):
    journal = post_a.journal
    journal.report_screen_weight = 3
    journal.save()
    good, crier = UserFactory(username="good"), UserFactory(username="crier")
    settle(mod_a, good, post_a, UserFactory(), upheld=3, dismissed=0)
    settle(mod_a, crier, post_a, UserFactory(), upheld=0, dismissed=3)
    target = published(post_a, author)

    crier_report = services.report_comment(
        comment=target, reporter=crier, reason="spam"
    )
    target.refresh_from_db()
    assert crier_report.weight == 0 and target.state == CommentState.PUBLISHED

    services.report_comment(comment=target, reporter=good, reason="spam")
    target.refresh_from_db()
    assert target.state == CommentState.PUBLISHED  # 2 of 3

    services.report_comment(comment=target, reporter=UserFactory(), reason="spam")
    target.refresh_from_db()
    assert target.state == CommentState.HELD
    assert "reports.weighted" in target.rule_codes
    entry = AuditEntry.objects.get(action="comment.screen", comment=target)
    assert entry.actor is None and entry.data["code"] == "reports.weighted"
    # An edit by its author does not publish it again.
    assert target.moderator_screened


def test_the_reported_tab_sorts_by_weight(client, mod_a, post_a, author):
    light, heavy = published(post_a, author), published(post_a, author)
    Report.objects.create(
        comment=light,
        journal=post_a.journal,
        reporter=UserFactory(),
        reason="spam",
        weight=0.5,
    )
    Report.objects.create(
        comment=heavy,
        journal=post_a.journal,
        reporter=UserFactory(),
        reason="spam",
        weight=2.5,
    )
    client.force_login(mod_a)

    page = client.get("/moderation/?tab=reported").content.decode()
    api = client.get("/api/moderation/queue/?tab=reported").json()["results"]

    assert page.index(f'id="q{heavy.pk}"') < page.index(f'id="q{light.pk}"')
    assert [item["id"] for item in api] == [heavy.pk, light.pk]
    assert api[0]["report_weight"] == 2.5 and api[0]["reports"][0]["weight"] == 2.5


def reject(mod, comment):
    comment.refresh_from_db()
    return services.decide(
        moderator=mod,
        items=[Seen(comment.pk, comment.state, comment.revision)],
        decision="reject",
        reason="off_topic",
    )


def test_the_ladder_screens_then_bans_and_an_undo_takes_a_step_back(
    mod_a, post_a, author, django_capture_on_commit_callbacks
):
    journal = post_a.journal
    journal.screen_after_strikes, journal.screen_for_days = 2, 7
    journal.ban_after_strikes, journal.ban_for_days = 3, 30
    journal.save()
    comments = [hold(CommentFactory(post=post_a, author=author)) for _ in range(3)]

    reject(mod_a, comments[0])
    assert not AuthorRestriction.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        reject(mod_a, comments[1])

    screen = AuthorRestriction.objects.get(kind="screen")
    assert screen.until.date() == (timezone.now() + timedelta(days=7)).date()
    step = AuditEntry.objects.get(action="author.screen")
    assert step.actor is None and step.data["code"] == strikes.LADDER
    assert "2 of your comments were rejected in 30 days" in step.note
    told = [m for m in mail.outbox if "wait for a moderator until" in m.body]
    assert len(told) == 1 and told[0].to == ["w@example.org"]

    assert strikes.count(journal, author.pk) == 2

    # Undoing the rejection that tipped it takes the strike and the step back.
    tipping = AuditEntry.objects.filter(action="comment.reject").latest("pk")
    services.undo(moderator=mod_a, entry_id=tipping.pk)
    screen.refresh_from_db()
    assert not screen.is_active
    assert strikes.count(journal, author.pk) == 1

    reject(mod_a, comments[1])
    reject(mod_a, comments[2])
    ban = AuthorRestriction.objects.get(kind="ban")
    assert ban.is_active and ban.created_by is None
    assert AuditEntry.objects.filter(action="author.ban", actor=None).exists()


def test_strikes_show_in_the_queue_author_record(client, mod_a, post_a, author):
    reject(mod_a, hold(CommentFactory(post=post_a, author=author)))
    hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()
    api = client.get("/api/moderation/queue/").json()["results"][0]

    assert "1 strike</strong> in 30 days" in page
    assert api["author_record"]["strikes"] == 1


def test_moderators_are_never_laddered(mod_a, post_a):
    journal = post_a.journal
    journal.screen_after_strikes = 1
    journal.save()

    reject(mod_a, hold(CommentFactory(post=post_a, author=mod_a)))

    assert not AuthorRestriction.objects.exists()


def test_undoing_a_strike_leaves_a_restriction_the_owner_changed_since(
    mod_a, post_a, author
):
    journal = post_a.journal
    journal.screen_after_strikes, journal.screen_for_days = 1, 7
    journal.save()
    reject(mod_a, hold(CommentFactory(post=post_a, author=author)))
    # The owner makes the ladder's screening last for good.
    services.restrict_author(
        journal=journal, user=author, kind="screen", by=journal.owner
    )

    tipping = AuditEntry.objects.get(action="comment.reject")
    services.undo(moderator=mod_a, entry_id=tipping.pk)

    screen = AuthorRestriction.objects.get(kind="screen")
    assert screen.is_active and screen.until is None
