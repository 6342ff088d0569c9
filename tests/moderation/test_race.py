"""Two moderators racing on one comment, on two real database connections.

Runs on PostgreSQL (CI runs the suite there too): SQLite's shared in-memory test
database cannot hold two concurrent writers at all.
"""

import threading

import pytest
from django.db import connection, connections

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import AuditEntry
from tests.factories import CommentFactory
from tests.two_journals import hold

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections to PostgreSQL; CI runs it there",
    ),
]


def race(*calls):
    """Run each call in its own thread (own connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize(
    "decisions", [("approve", "approve"), ("approve", "spam"), ("reject", "spam")]
)
def test_two_moderators_racing_produce_exactly_one_decision(
    journal_a, mod_a, post_a, author, decisions
):
    comment = hold(CommentFactory(post=post_a, author=author))
    seen = services.Seen(comment.pk, CommentState.HELD, comment.revision)
    owner = journal_a.owner

    results = race(
        lambda: services.decide(
            moderator=mod_a, items=[seen], decision=decisions[0], reason="spam"
        ),
        lambda: services.decide(
            moderator=owner, items=[seen], decision=decisions[1], reason="spam"
        ),
    )

    outcomes = [result[0] for result in results]
    assert sorted(outcome.status for outcome in outcomes) == ["already_decided", "done"]
    loser = next(o for o in outcomes if not o.done)
    assert loser.message.startswith("Already ")
    assert AuditEntry.objects.filter(action__startswith="comment.").count() == 1
    winner_index = next(i for i, o in enumerate(outcomes) if o.done)
    expected_state = {"approve": "published", "reject": "rejected", "spam": "spam"}
    assert (
        Comment.objects.get(pk=comment.pk).state
        == expected_state[decisions[winner_index]]
    )


def test_two_moderators_undoing_the_same_decision_undo_it_once(
    journal_a, mod_a, held_a
):
    services.decide(
        moderator=mod_a, items=[services.Seen(held_a.pk, "held", 1)], decision="approve"
    )
    entry = AuditEntry.objects.get(action="comment.approve")

    results = race(
        lambda: services.undo(moderator=mod_a, entry_id=entry.pk),
        lambda: services.undo(moderator=journal_a.owner, entry_id=entry.pk),
    )

    assert sum(isinstance(r, AuditEntry) for r in results) == 1
    assert sum(isinstance(r, services.NotAllowed) for r in results) == 1
    assert AuditEntry.objects.filter(action="undo").count() == 1
    assert Comment.objects.get(pk=held_a.pk).state == CommentState.HELD
