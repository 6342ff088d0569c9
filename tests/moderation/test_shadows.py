"""A shadow rule set runs beside the live rules on every judged comment: its
verdict is recorded, never acted on, until the owner promotes it."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal import services
from journal.models import Comment, CommentState, Screening
from moderation import rules, schedules, shadows
from moderation import services as moderation
from moderation.models import (
    AuditEntry,
    ScheduledMode,
    ShadowRuleSet,
    ShadowVerdict,
    WordRule,
)
from tests.factories import JournalFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def proposal(journal, **changes) -> dict:
    return {**moderation.rule_set_snapshot(journal), **changes}


def hold_word(journal, word: str) -> dict:
    snapshot = moderation.rule_set_snapshot(journal)
    return {**snapshot, "words": [*snapshot["words"], [word, "hold", False]]}


# Starting, retiring, promoting -------------------------------------------------


def test_starting_a_shadow_keeps_the_proposal_and_audits_what_it_would_change(
    journal, owner
):
    shadow = shadows.start_shadow(
        journal=journal,
        proposal={"link_limit": 1, "words": [["casino", "hold", False]]},
        by=owner,
        name="Stricter",
    )

    assert shadow.state == ShadowRuleSet.State.SHADOW
    assert shadow.name == "Stricter" and shadow.created_by == owner
    # What the proposal leaves out stays as the journal has it.
    assert shadow.snapshot == {
        **moderation.rule_set_snapshot(journal),
        "link_limit": 1,
        "words": [["casino", "hold", False]],
    }
    entry = AuditEntry.objects.get(action="shadow.start")
    assert entry.actor == owner and entry.journal == journal
    assert entry.data["changes"] == {
        "link_limit": [3, 1],
        "words": [[], [["casino", "hold", False]]],
    }
    # Nothing live changed.
    journal.refresh_from_db()
    assert journal.link_limit == 3 and not journal.word_rules.exists()


def test_one_shadow_runs_per_journal_starting_another_retires_it(journal, owner):
    first = shadows.start_shadow(journal=journal, proposal={"link_limit": 1}, by=owner)
    second = shadows.start_shadow(journal=journal, proposal={"link_limit": 2}, by=owner)

    first.refresh_from_db()
    assert first.state == ShadowRuleSet.State.RETIRED and first.ended_at
    assert shadows.running(journal) == second
    assert list(
        AuditEntry.objects.filter(action__startswith="shadow.")
        .order_by("pk")
        .values_list("action", "data__shadow")
    ) == [
        ("shadow.start", first.pk),
        ("shadow.retire", first.pk),
        ("shadow.start", second.pk),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"not_a_setting": 1},
        {"link_limit": -4},
        {"screening": "everyone"},
        {"words": [["", "hold", False]]},
        {"words": [["casino", "delete", False]]},
        {"words": [["casino", "hold", False], ["CASINO", "block", False]]},
        {"words": "casino"},
        {"time_zone": "Mars/Olympus"},
    ],
)
def test_a_proposal_the_journal_could_not_take_is_refused_and_changes_nothing(
    journal, owner, bad
):
    with pytest.raises(ValidationError):
        shadows.start_shadow(journal=journal, proposal=bad, by=owner)

    assert not ShadowRuleSet.objects.exists()
    assert not AuditEntry.objects.exists()


def test_promoting_makes_the_shadow_live_in_one_step_as_a_new_version(journal, owner):
    before = moderation.record_rule_set(journal)
    shadow = shadows.start_shadow(
        journal=journal,
        proposal={
            "screening": Screening.ANONYMOUS,
            "words": [["casino", "block", True]],
        },
        by=owner,
    )

    shadows.promote_shadow(shadow=shadow, by=owner)

    shadow.refresh_from_db()
    journal.refresh_from_db()
    assert shadow.state == ShadowRuleSet.State.PROMOTED and shadow.ended_at
    assert journal.screening == Screening.ANONYMOUS
    assert list(journal.word_rules.active().values_list("phrase", "kind")) == [
        ("casino", "block")
    ]
    version = moderation.latest_rule_set(journal)
    assert version.number == before.number + 1
    assert shadow.promoted_to == version
    assert version.snapshot == shadow.snapshot
    assert version.created_by == owner
    promoted = AuditEntry.objects.get(action="shadow.promote")
    assert promoted.rule_set_version == version and promoted.actor == owner
    assert AuditEntry.objects.filter(
        action="settings.change", rule_set_version=version
    ).exists()
    assert shadows.running(journal) is None


@pytest.mark.parametrize("end", ["promote", "retire"])
def test_an_ended_shadow_cannot_be_promoted_or_retired_again(journal, owner, end):
    shadow = shadows.start_shadow(journal=journal, proposal={"link_limit": 1}, by=owner)
    getattr(shadows, f"{end}_shadow")(shadow=shadow, by=owner)
    journal.refresh_from_db()
    settings_before = moderation.rule_set_snapshot(journal)
    entries = AuditEntry.objects.count()

    for again in (shadows.promote_shadow, shadows.retire_shadow):
        with pytest.raises(moderation.NotAllowed) as refused:
            again(shadow=shadow, by=owner)
        assert refused.value.code == "shadow.ended"

    journal.refresh_from_db()
    assert moderation.rule_set_snapshot(journal) == settings_before
    assert AuditEntry.objects.count() == entries


# Beside the live rules ----------------------------------------------------------


def test_the_shadow_judges_every_new_comment_and_is_never_acted_on(
    journal, post, owner, reader
):
    shadow = shadows.start_shadow(
        journal=journal, proposal=hold_word(journal, "casino"), by=owner
    )

    comment = services.submit_comment(post=post, author=reader, body="casino night")
    other = services.submit_comment(post=post, author=reader, body="quiet night")

    # Live published both; the shadow would have held the first.
    assert comment.state == other.state == CommentState.PUBLISHED
    seen = ShadowVerdict.objects.get(comment=comment)
    assert (seen.shadow, seen.live_action, seen.shadow_action) == (
        shadow,
        "publish",
        "hold",
    )
    assert seen.disagrees and seen.journal == journal
    assert [reason["code"] for reason in seen.reasons] == ["words.held"]
    agreed = ShadowVerdict.objects.get(comment=other)
    assert (agreed.live_action, agreed.shadow_action, agreed.disagrees) == (
        "publish",
        "publish",
        False,
    )


def test_a_shadow_refusal_where_live_published_is_a_disagreement(
    journal, post, owner, reader
):
    snapshot = moderation.rule_set_snapshot(journal)
    shadows.start_shadow(
        journal=journal,
        proposal={**snapshot, "words": [["casino", "block", False]]},
        by=owner,
    )

    comment = services.submit_comment(post=post, author=reader, body="casino")

    assert comment.state == CommentState.PUBLISHED
    seen = comment.shadow_verdicts.get()
    assert (seen.shadow_action, seen.disagrees) == ("refuse", True)
    assert shadows.direction(seen.live_action, seen.shadow_action) == shadows.TO_REFUSE


def test_a_live_refusal_stores_nothing_so_the_shadow_records_nothing(
    journal, post, owner, reader
):
    WordRule.objects.create(journal=journal, phrase="casino", kind="block")
    shadows.start_shadow(journal=journal, proposal={"words": []}, by=owner)

    with pytest.raises(services.CommentRefused):
        services.submit_comment(post=post, author=reader, body="casino")
    later = services.submit_comment(post=post, author=reader, body="a fine day")

    # The refused draft's verdict was never recorded, nor given to the next one.
    assert [v.comment for v in ShadowVerdict.objects.all()] == [later]


def test_an_edit_is_judged_in_the_shadow_too(journal, post, owner, reader):
    comment = services.submit_comment(post=post, author=reader, body="first words")
    shadows.start_shadow(
        journal=journal, proposal=hold_word(journal, "casino"), by=owner
    )

    services.edit_comment(comment=comment, editor=reader, body="casino after all")

    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED
    seen = comment.shadow_verdicts.get()
    assert (seen.live_action, seen.shadow_action) == ("publish", "hold")


def test_a_shadow_that_holds_less_never_publishes_what_live_holds(
    journal, post, owner, reader
):
    journal.screening = Screening.ALL
    journal.save()
    shadows.start_shadow(
        journal=journal, proposal={"screening": Screening.NONE}, by=owner
    )

    comment = services.submit_comment(post=post, author=reader, body="hello")

    assert comment.state == CommentState.HELD
    seen = comment.shadow_verdicts.get()
    assert (seen.live_action, seen.shadow_action) == ("hold", "publish")
    assert (
        shadows.direction(seen.live_action, seen.shadow_action)
        == shadows.HOLD_TO_PUBLISH
    )


def test_after_promotion_the_next_comment_is_judged_by_it(journal, post, owner, reader):
    shadow = shadows.start_shadow(
        journal=journal, proposal=hold_word(journal, "casino"), by=owner
    )
    services.submit_comment(post=post, author=reader, body="casino one")

    promoted = shadows.promote_shadow(shadow=shadow, by=owner)
    journal.refresh_from_db()
    post.refresh_from_db()
    comment = services.submit_comment(post=post, author=reader, body="casino two")

    assert comment.state == CommentState.HELD
    assert comment.rule_set_version == promoted.promoted_to
    # No shadow runs any more: nothing recorded beside it.
    assert not comment.shadow_verdicts.exists()


def test_a_retired_shadow_judges_nothing_more(journal, post, owner, reader):
    shadow = shadows.start_shadow(
        journal=journal, proposal=hold_word(journal, "casino"), by=owner
    )
    services.submit_comment(post=post, author=reader, body="casino one")
    shadows.retire_shadow(shadow=shadow, by=owner)

    comment = services.submit_comment(post=post, author=reader, body="casino two")

    assert comment.state == CommentState.PUBLISHED
    assert ShadowVerdict.objects.count() == 1
    assert not comment.shadow_verdicts.exists()


def test_another_journals_shadow_never_judges_here(journal, post, owner, reader):
    other = JournalFactory()
    shadows.start_shadow(
        journal=other, proposal=hold_word(other, "casino"), by=other.owner
    )

    services.submit_comment(post=post, author=reader, body="casino")

    assert not ShadowVerdict.objects.exists()


def _posting_queries(post, author, body) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        services.submit_comment(post=post, author=author, body=body)
    return [query["sql"] for query in captured.captured_queries]


def test_a_running_shadow_costs_posting_one_insert_and_no_read(journal, owner):
    post = PostFactory(journal=journal)
    plain = PostFactory(journal=JournalFactory(owner=owner))
    author = UserFactory()
    # Warm both journals' rules, then post once with and once without a shadow.
    _posting_queries(post, author, "warming up here")
    _posting_queries(plain, author, "warming up there")
    shadows.start_shadow(journal=journal, proposal=hold_word(journal, "x"), by=owner)
    _posting_queries(post, author, "the shadow compiled once")

    with_shadow = _posting_queries(post, author, "with a shadow beside")
    without = _posting_queries(plain, author, "with no shadow")

    inserts = [sql for sql in with_shadow if "moderation_shadowverdict" in sql]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    assert len(with_shadow) == len(without) + 1


# Counting disagreements --------------------------------------------------------


def test_counts_per_day_say_how_often_and_which_way_the_shadow_disagrees(
    journal, post, owner, reader
):
    shadow = shadows.start_shadow(
        journal=journal, proposal=hold_word(journal, "casino"), by=owner
    )
    for body in ("casino a", "casino b", "fine c"):
        services.submit_comment(post=post, author=reader, body=body)
    # One from two days ago, where the shadow would have refused.
    old = services.submit_comment(post=post, author=reader, body="old d")
    ShadowVerdict.objects.filter(comment=old).update(
        shadow_action="refuse",
        disagrees=True,
        created_at=timezone.now() - timedelta(days=2),
    )

    days = shadows.counts_by_day([shadow.pk])[shadow.pk]

    assert len(days) == shadows.DAYS_SHOWN
    today, _, two_days_ago = days[:3]
    assert (today.judged, today.publish_hold, today.disagreed) == (3, 2, 2)
    assert (two_days_ago.judged, two_days_ago.refuse) == (1, 1)
    assert days[0].day == timezone.localdate()
    assert sum(day.judged for day in days[3:]) == 0
    total = shadows.totals(days)
    assert (total.judged, total.disagreed, total.hold_publish) == (4, 3, 0)


def test_the_pure_direction_of_a_disagreement():
    assert shadows.direction("publish", "publish") == ""
    assert shadows.direction("publish", "hold") == shadows.PUBLISH_TO_HOLD
    assert shadows.direction("hold", "publish") == shadows.HOLD_TO_PUBLISH
    assert shadows.direction("hold", "refuse") == shadows.TO_REFUSE
    assert shadows.direction("publish", "refuse") == shadows.TO_REFUSE


def test_the_shadow_decides_with_the_same_facts_under_its_own_settings():
    facts = rules.CommentFacts(
        author_is_authenticated=True, text="cheap casino", link_count=1
    )
    stricter = rules.RuleSettings(link_limit=1)

    assert rules.decide(facts).action is rules.Action.PUBLISH
    verdict = shadows.decide(facts, stricter)
    assert verdict.action is rules.Action.HOLD
    assert [reason.code for reason in verdict.reasons] == ["links.too_many"]


def test_no_comment_is_ever_given_another_drafts_shadow_verdict(
    journal, post, owner, reader
):
    shadows.start_shadow(
        journal=journal, proposal=hold_word(journal, "casino"), by=owner
    )
    comment = services.submit_comment(post=post, author=reader, body="casino")
    # A comment stored without being judged (an import) gets no verdict.
    imported = services.store_comment(post=post, parent=None, body_source="imported")

    assert shadows.record_handed_over(imported) is None
    assert [v.comment for v in ShadowVerdict.objects.all()] == [comment]
    assert Comment.objects.count() == 2


def test_promoting_a_shadow_with_a_schedule_makes_its_windows_live(journal, owner):
    kept = schedules.add_window(
        journal=journal, by=owner, name="Night", mode="screen", days="0123456",
        starts_at=time(23), ends_at=time(7),
    )  # fmt: skip
    dropped = schedules.add_window(
        journal=journal, by=owner, name="Weekend", mode="screen", days="4",
        starts_at=time(22), ends_at=time(7), ends_after_days=3,
    )  # fmt: skip
    snapshot = moderation.rule_set_snapshot(journal)
    night = next(w for w in snapshot["schedule"] if w["name"] == "Night")
    rush = {**night, "name": "Rush", "mode": "rate", "rate_per_minute": 2}
    rush.update(starts_at="08:00", ends_at="09:00")
    shadow = shadows.start_shadow(
        journal=journal, proposal={"schedule": [night, rush]}, by=owner
    )

    promoted = shadows.promote_shadow(shadow=shadow, by=owner)

    live = ScheduledMode.objects.active().filter(journal=journal)
    assert sorted(live.values_list("name", flat=True)) == ["Night", "Rush"]
    # The window both have is the same row; the one dropped is retired, kept.
    assert live.get(name="Night") == kept
    dropped.refresh_from_db()
    assert dropped.retired_at is not None
    assert promoted.promoted_to.snapshot == moderation.rule_set_snapshot(journal)
    assert promoted.promoted_to.snapshot["schedule"] == shadow.snapshot["schedule"]


def test_a_proposal_with_a_window_the_rules_could_not_read_is_refused(journal, owner):
    with pytest.raises(ValidationError):
        shadows.start_shadow(
            journal=journal,
            proposal={"schedule": [{"name": "Odd", "mode": "screen"}]},
            by=owner,
        )
    with pytest.raises(ValidationError):
        shadows.start_shadow(
            journal=journal,
            proposal={
                "schedule": [
                    {"name": "", "mode": "sleep", "days": "9",
                     "starts_at": "23:00", "ends_at": "07:00"}
                ]
            },
            by=owner,
        )  # fmt: skip
    assert not ShadowRuleSet.objects.exists()
