"""Appeals racing on two real database connections: two appeals of one decision
make one, and two moderators answering one appeal at once make one answer.

Runs on PostgreSQL (CI runs the suite there too): SQLite's shared in-memory test
database cannot hold two concurrent writers at all.
"""

import pytest
from django.db import connection

from journal.models import CommentState
from moderation import appeals, services
from moderation.models import Appeal, AuditEntry
from tests.factories import CommentFactory, UserFactory
from tests.moderation.test_race import race
from tests.two_journals import token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections to PostgreSQL; CI runs it there",
    ),
]


@pytest.fixture
def rejected(post_a, author, mod_a):
    comment = CommentFactory(post=post_a, author=author)
    services.decide(
        moderator=mod_a,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason="other",
    )
    comment.refresh_from_db()
    return comment


@pytest.mark.parametrize("attempt", range(3))
def test_two_appeals_of_one_decision_at_once_make_one(author, rejected, attempt):
    def file():
        return appeals.file_appeal(author=author, comment_id=rejected.pk, text="Why")

    results = race(file, file)

    assert sum(isinstance(result, Appeal) for result in results) == 1
    refused = [r for r in results if isinstance(r, services.NotAllowed)]
    assert [r.code for r in refused] == ["appeal.duplicate"]
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_moderators_answering_at_once_make_one_answer(
    author, rejected, journal_a, attempt
):
    third = UserFactory(username=f"third_mod{attempt}")
    journal_a.moderators.add(third)
    appeal = appeals.file_appeal(author=author, comment_id=rejected.pk, text="Why")

    def answer(moderator, grant):
        return lambda: appeals.decide_appeal(
            moderator=moderator, appeal_id=appeal.pk, grant=grant, answer="Answer"
        )

    results = race(answer(journal_a.owner, True), answer(third, False))

    assert sum(isinstance(result, Appeal) for result in results) == 1, results
    refused = [r for r in results if isinstance(r, services.NotAllowed)]
    assert [r.code for r in refused] == ["appeal.decided"]
    assert AuditEntry.objects.filter(action__startswith="appeal.").count() == 1
    appeal.refresh_from_db()
    rejected.refresh_from_db()
    granted = appeal.state == "granted"
    assert rejected.state == (
        CommentState.PUBLISHED if granted else CommentState.REJECTED
    )
    assert AuditEntry.objects.filter(action="undo").count() == (1 if granted else 0)
