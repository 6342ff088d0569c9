"""The backtest: a proposed change replayed over the journal's last comments,
each from the facts it was judged on (moderation.backtest, moderation.proposals).
"""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from journal.models import CommentState
from moderation import backtest, proposals, rules
from moderation.backtest import Tally, kind_of
from moderation.models import (
    AuditEntry,
    Backtest,
    RuleSetVersion,
    ScheduledMode,
    ShadowRuleSet,
    WordRule,
)
from moderation.rules import Action, AntiBotCheck, CommentFacts, Reason, Verdict
from moderation.services import NotAllowed, record_rule_set, rule_set_snapshot
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory

JUDGED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def registered(**facts) -> CommentFacts:
    return CommentFacts(
        **{
            "author_is_authenticated": True,
            "author_account_age_days": 400,
            "now": JUDGED,
            **facts,
        }
    )


def judged(post, version, facts: CommentFacts, *, body="Nice post", state=None, **kw):
    """A comment stored as the write path stores it: with the facts its verdict
    was computed from, under ``version``."""
    return CommentFactory(
        post=post,
        author=UserFactory() if facts.author_is_authenticated else None,
        author_name="" if facts.author_is_authenticated else "Visitor",
        body_source=body,
        state=state or CommentState.PUBLISHED,
        rule_set_version=version,
        judged_facts=rules.facts_record(facts, name="Someone"),
        **kw,
    )


# The fixture, and the arithmetic by hand ---------------------------------------------
#
# The rules then (version 1): links hold from 3, no word lists, no screening,
# accounts younger than 7 days held, spam held from 90 %.
# The proposal: links hold from 2, "ferry" held, "casino" blocked, anonymous
# comments screened, no hold for new accounts.
#
#     comment                               then     proposal  moderators
#  c1 registered, 2 links                   publish  hold      -
#  c2 registered, "the ferry is late"       publish  hold      rejected
#  c3 anonymous                             publish  hold      spam
#  c4 registered, 3 links                   hold     hold      approved
#  c5 trusted (2 approved), 3 links, ferry  publish  publish   -  (trust skips both)
#  c6 registered, spam score 95             hold     hold      rejected
#  c7 registered, account 2 days old        hold     publish   approved
#  c8 registered, "casino bonus"            publish  refuse    spam
#  c9 judged before facts were kept         -        -         -  (skipped)
#
# publish -> hold: c1, c2, c3 = 3; hold -> publish: c7 = 1; -> refuse: c8 = 1;
# unchanged: c4, c5, c6 = 3; replayed 8 of 9 read, 1 skipped.
# Rejected or spam: c2, c3, c6, c8 = 4; the proposal stops all 4 (c8 refused);
# the rules then held only c6 = 1.
# Approved: c4, c7 = 2; the proposal holds c4 needlessly = 1; the rules then
# held both = 2.


@pytest.fixture
def fixture(journal):
    journal.new_account_days = 7
    journal.save()
    version = record_rule_set(journal)
    post = PostFactory(journal=journal)
    c = {}
    c[9] = CommentFactory(post=post, body_source="old", rule_set_version=version)
    c[1] = judged(post, version, registered(link_count=2))
    c[2] = judged(
        post, version, registered(), body="the ferry is late", state="rejected"
    )
    c[3] = judged(
        post,
        version,
        CommentFacts(antibot=AntiBotCheck(age_seconds=60), now=JUDGED),
        state=CommentState.SPAM,
    )
    c[4] = judged(post, version, registered(link_count=3), approved_revision=1)
    c[5] = judged(
        post,
        version,
        registered(link_count=3, author_approved_count=2),
        body="the ferry again",
    )
    c[6] = judged(post, version, registered(spam_percent=95), state="rejected")
    c[7] = judged(
        post, version, registered(author_account_age_days=2), approved_revision=1
    )
    c[8] = judged(post, version, registered(), body="casino bonus", state="spam")
    return journal, c


PROPOSAL = {
    "changes": {"link_limit": 2, "screening": "anonymous", "new_account_days": 0},
    "words": [
        {"phrase": "ferry", "kind": "hold"},
        {"phrase": "casino", "kind": "block"},
    ],
}


def test_the_counts_match_the_arithmetic_done_by_hand(fixture):
    journal, c = fixture
    snapshot = proposals.snapshot_with(journal, **PROPOSAL)

    result = backtest.replay(journal, snapshot, limit=1000)

    assert (result["read"], result["replayed"], result["skipped"]) == (9, 8, 1)
    assert result["changes"] == {
        "publish_to_hold": 3,
        "hold_to_publish": 1,
        "to_refuse": 1,
        "from_refuse": 0,
    }
    assert result["unchanged"] == 3
    assert result["agreement"] == {
        "rejected": 4,
        "rejected_held": 4,
        "rejected_held_before": 1,
        "approved": 2,
        "approved_held": 1,
        "approved_held_before": 2,
    }
    samples = result["samples"]
    # Newest first, each linked to its comment, with the codes that decided.
    assert [s["comment"] for s in samples["publish_to_hold"]] == [
        c[3].pk,
        c[2].pk,
        c[1].pk,
    ]
    assert samples["publish_to_hold"][1]["codes"] == ["words.held"]
    assert samples["publish_to_hold"][2]["codes"] == ["links.too_many"]
    assert samples["publish_to_hold"][0]["codes"] == ["screening.anonymous"]
    assert samples["hold_to_publish"] == [
        {
            "comment": c[7].pk,
            "state": "published",
            "before": "hold",
            "after": "publish",
            "codes": ["account.new"],
            "author": "Someone",
            "post": c[7].post_id,
            "excerpt": "Nice post",
        }
    ]
    assert samples["to_refuse"][0]["codes"] == ["words.blocked"]
    assert samples["to_refuse"][0]["excerpt"] == "casino bonus"


def test_only_the_last_comments_up_to_the_limit_are_replayed(fixture):
    journal, c = fixture
    snapshot = proposals.snapshot_with(journal, **PROPOSAL)

    result = backtest.replay(journal, snapshot, limit=3)

    # c8, c7, c6: newest first.
    assert result["read"] == 3
    assert result["changes"]["to_refuse"] == 1
    assert result["changes"]["hold_to_publish"] == 1
    assert result["unchanged"] == 1


def test_the_rules_in_force_replayed_change_nothing(fixture):
    journal, _c = fixture
    snapshot = proposals.snapshot_with(journal, changes={})

    result = backtest.replay(journal, snapshot)

    assert result["unchanged"] == 8
    assert sum(result["changes"].values()) == 0


def test_each_comment_is_judged_by_its_own_version_not_by_todays_rules(journal):
    """A comment judged when "ferry" was held stays held then; replaying the
    same list now changes nothing for it, though today's standing differs."""
    WordRule.objects.create(journal=journal, phrase="ferry", kind="hold")
    with_word = record_rule_set(journal)
    post = PostFactory(journal=journal)
    judged(post, with_word, registered(), body="ferry", state="held")
    WordRule.objects.filter(journal=journal).update(retired_at=JUDGED)
    record_rule_set(journal)

    keep_it = proposals.snapshot_with(journal, changes={}, words=[])
    result = backtest.replay(journal, keep_it)

    # Held then (by version 1's list), published now: the list lost "ferry".
    assert result["changes"]["hold_to_publish"] == 1


def test_comments_moved_here_are_judged_by_their_old_journals_version(journal):
    """A post moved from another journal brings comments judged under that
    journal's rules (here a held word); they are replayed, not left out."""
    record_rule_set(journal)
    other = JournalFactory(name="elsewhere")
    WordRule.objects.create(journal=other, phrase="ferry", kind="hold")
    theirs = record_rule_set(other)
    post = PostFactory(journal=other)
    moved = judged(post, theirs, registered(), body="the ferry", state="held")
    post.journal = journal
    post.save()
    moved.__class__.objects.filter(post=post).update(journal=journal)

    result = backtest.replay(journal, proposals.snapshot_with(journal, changes={}))

    assert (result["replayed"], result["skipped"]) == (1, 0)
    assert result["changes"]["hold_to_publish"] == 1
    assert result["samples"]["hold_to_publish"][0]["codes"] == ["words.held"]


def test_a_damaged_facts_record_is_skipped_not_an_error(journal):
    version = record_rule_set(journal)
    post = PostFactory(journal=journal)
    damaged = (
        {"v": 99},
        {"v": 1, "antibot": "x"},
        {"v": 1, "link_count": "many"},
        ["not", "a", "dict"],
    )
    for record in damaged:
        CommentFactory(post=post, rule_set_version=version, judged_facts=record)

    result = backtest.replay(journal, proposals.snapshot_with(journal, changes={}))

    assert (result["read"], result["skipped"]) == (4, 4)


def test_a_proposed_schedule_is_replayed_at_the_time_each_comment_was_judged(
    journal,
):
    """Noon on a Monday (JUDGED) falls in a weekday-noon screening window; a
    comment judged at night does not."""
    version = record_rule_set(journal)
    post = PostFactory(journal=journal)
    judged(post, version, registered())
    judged(post, version, registered(now=datetime(2026, 11, 2, 23, 0, tzinfo=UTC)))
    window = ScheduledMode(
        journal=journal,
        name="Lunch",
        mode=ScheduledMode.Mode.SCREEN,
        days="0",
        starts_at=datetime(2026, 1, 1, 11).time(),
        ends_at=datetime(2026, 1, 1, 13).time(),
    )
    snapshot = rule_set_snapshot(journal, schedule=[window])

    result = backtest.replay(journal, snapshot)

    assert result["changes"]["publish_to_hold"] == 1
    assert result["samples"]["publish_to_hold"][0]["codes"] == ["schedule.screening"]


# The pure part ---------------------------------------------------------------------


def verdict(action: Action, *codes: str) -> Verdict:
    return Verdict(action, tuple(Reason(code, action, code) for code in codes))


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (Action.PUBLISH, Action.PUBLISH, None),
        (Action.PUBLISH, Action.HOLD, "publish_to_hold"),
        (Action.HOLD, Action.PUBLISH, "hold_to_publish"),
        (Action.PUBLISH, Action.REFUSE, "to_refuse"),
        (Action.HOLD, Action.REFUSE, "to_refuse"),
        (Action.REFUSE, Action.HOLD, "from_refuse"),
    ],
)
def test_each_pair_of_verdicts_is_one_kind_of_change(before, after, kind):
    assert kind_of(before, after) == kind


def test_the_tally_keeps_ten_examples_of_a_kind_and_counts_them_all():
    tally = Tally(limit=50)
    for n in range(12):
        tally.add(
            comment_id=n,
            state="published",
            approved=False,
            before=verdict(Action.PUBLISH),
            after=verdict(Action.HOLD, "links.too_many"),
        )
    tally.skip()

    result = tally.as_dict()

    assert result["changes"]["publish_to_hold"] == 12
    assert len(result["samples"]["publish_to_hold"]) == backtest.SAMPLES == 10
    assert (result["read"], result["replayed"], result["skipped"]) == (13, 12, 1)


# Proposals: validated, never saved -------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"link_limit": -1},
        {"time_zone": "Mars/Olympus"},
        {"comment_access": "everyone"},
        {"title": "not a rule"},
    ],
)
def test_a_bad_proposal_is_refused_and_nothing_is_saved(journal, changes):
    record_rule_set(journal)
    before = journal.link_limit

    with pytest.raises(ValidationError):
        proposals.snapshot_with(journal, changes=changes)

    journal.refresh_from_db()
    assert journal.link_limit == before
    assert RuleSetVersion.objects.filter(journal=journal).count() == 1


def test_previewing_writes_nothing(fixture, django_assert_max_num_queries):
    journal, _c = fixture
    versions = RuleSetVersion.objects.count()
    entries = AuditEntry.objects.count()
    snapshot = proposals.snapshot_with(journal, **PROPOSAL)

    # Bounded whatever the number of comments: the count, the versions, one
    # chunk, the samples' texts.
    with django_assert_max_num_queries(4):
        preview = proposals.preview(
            journal=journal, snapshot=snapshot, limit=1000, by=journal.owner
        )

    assert preview.backtest is None and preview.result["read"] == 9
    journal.refresh_from_db()
    assert journal.link_limit == 3
    assert not WordRule.objects.filter(journal=journal).exists()
    assert RuleSetVersion.objects.count() == versions
    assert AuditEntry.objects.count() == entries
    assert not Backtest.objects.exists() and not ShadowRuleSet.objects.exists()


@pytest.mark.parametrize("limit", [0, -5, backtest.MAX_LIMIT + 1])
def test_a_limit_outside_1_to_50000_is_refused(journal, limit):
    with pytest.raises(ValidationError):
        proposals.preview(
            journal=journal,
            snapshot=proposals.snapshot_with(journal, changes={}),
            limit=limit,
            by=journal.owner,
        )


# The long run, through the task queue ---------------------------------------------


def test_a_long_run_is_queued_then_replayed_by_the_task(
    fixture, monkeypatch, django_capture_on_commit_callbacks
):
    journal, _c = fixture
    monkeypatch.setattr(proposals, "DIRECT_MOST", 4)
    snapshot = proposals.snapshot_with(journal, **PROPOSAL)

    with django_capture_on_commit_callbacks(execute=True):
        preview = proposals.preview(
            journal=journal, snapshot=snapshot, limit=1000, by=journal.owner
        )

    queued = preview.backtest
    assert preview.result is None and queued is not None
    queued.refresh_from_db()
    assert queued.state == Backtest.State.DONE
    assert queued.requested_by == journal.owner
    assert (queued.done, queued.total) == (9, 9)
    assert queued.result["changes"]["publish_to_hold"] == 3
    assert queued.result["agreement"]["approved_held"] == 1
    assert queued.finished_at is not None


def test_a_backtest_delivered_twice_runs_once(fixture):
    journal, _c = fixture
    queued = Backtest.objects.create(
        journal=journal, proposal=proposals.snapshot_with(journal, **PROPOSAL)
    )
    backtest.run(queued.pk)
    first = Backtest.objects.get(pk=queued.pk)
    Backtest.objects.filter(pk=queued.pk).update(result={})

    backtest.run(queued.pk)

    assert Backtest.objects.get(pk=queued.pk).result == {}
    assert first.state == Backtest.State.DONE


def test_a_failing_replay_ends_failed_with_its_reason(journal):
    queued = Backtest.objects.create(journal=journal, proposal={"words": "broken"})

    backtest.run(queued.pk)

    queued.refresh_from_db()
    assert queued.state == Backtest.State.FAILED
    assert queued.error == "internal" and queued.finished_at is not None


def test_one_backtest_of_a_journal_waits_or_runs_at_a_time(journal, monkeypatch):
    """Starting many long runs would keep the workers busy: the second is
    refused while the first waits, and allowed once it is taken for lost."""
    monkeypatch.setattr(proposals, "DIRECT_MOST", -1)
    snapshot = proposals.snapshot_with(journal, changes={})
    proposals.preview(journal=journal, snapshot=snapshot, limit=10, by=journal.owner)

    with pytest.raises(NotAllowed) as refused:
        proposals.preview(
            journal=journal, snapshot=snapshot, limit=10, by=journal.owner
        )

    assert refused.value.code == "backtest.busy"
    Backtest.objects.update(created_at=JUDGED)
    proposals.preview(journal=journal, snapshot=snapshot, limit=10, by=journal.owner)
    assert Backtest.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_replay_read_in_many_chunks_tells_its_progress_as_it_goes(
    fixture, monkeypatch
):
    """Outside any transaction, as a worker runs it: the comments come from one
    query, a chunk at a time, while each chunk's progress is written."""
    journal, _c = fixture
    monkeypatch.setattr(backtest, "CHUNK", 2)
    queued = Backtest.objects.create(journal=journal, proposal={})
    told = []

    def tell(done: int, total: int) -> None:
        Backtest.objects.filter(pk=queued.pk).update(done=done, total=total)
        told.append((done, total))

    result = backtest.replay(
        journal, proposals.snapshot_with(journal, **PROPOSAL), on_progress=tell
    )

    assert told == [(2, 9), (4, 9), (6, 9), (8, 9), (9, 9)]
    assert Backtest.objects.get(pk=queued.pk).done == 9
    assert result["changes"]["publish_to_hold"] == 3
