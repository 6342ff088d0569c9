"""Owners racing on a shared list, on two real database connections
(PostgreSQL only, as tests/moderation/test_race.py): the list's row is locked
first by every write, so a journal never follows an unpublished list and a
change never misses a journal that started following it."""

import pytest
from django.db import connection

from moderation import services, shared_lists
from moderation.models import RuleSetVersion, SharedList, Subscription
from tests.factories import JournalFactory
from tests.moderation.test_race import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections to PostgreSQL; CI runs it there",
    ),
]


@pytest.fixture
def words(journal_a):
    return shared_lists.publish(
        journal=journal_a,
        by=journal_a.owner,
        kind="words",
        name="Spam words",
        entries=[{"phrase": "casino", "kind": "hold"}],
    )


def test_following_while_the_list_is_unpublished_never_leaves_it_followed(
    journal_b, words
):
    results = race(
        lambda: shared_lists.subscribe(
            journal=journal_b, shared_list=words, by=journal_b.owner
        ),
        lambda: shared_lists.unpublish(shared_list=words, by=words.journal.owner),
    )

    words.refresh_from_db()
    assert words.state == SharedList.State.UNPUBLISHED
    assert not Subscription.objects.filter(ended_at__isnull=True).exists()
    refused = [r for r in results if isinstance(r, services.NotAllowed)]
    latest = RuleSetVersion.objects.filter(journal=journal_b).order_by("-number")
    if refused:
        assert refused[0].code == "shared_list.unpublished"
    else:
        # Followed first, then ended by the unpublishing: the last version
        # follows nothing.
        assert "subscriptions" not in latest.first().snapshot


def test_a_change_racing_a_new_follower_reaches_it(journal_b, words):
    results = race(
        lambda: shared_lists.subscribe(
            journal=journal_b, shared_list=words, by=journal_b.owner
        ),
        lambda: shared_lists.change_list(
            shared_list=words,
            by=words.journal.owner,
            entries=[{"phrase": "lottery", "kind": "hold"}],
        ),
    )

    assert not any(isinstance(r, Exception) for r in results), results
    latest = RuleSetVersion.objects.filter(journal=journal_b).order_by("-number")
    assert latest.first().snapshot["subscriptions"][0][1] == 2


def test_two_owners_following_at_once_each_get_one(journal_b, words):
    third = JournalFactory(name="gamma")

    results = race(
        lambda: shared_lists.subscribe(
            journal=journal_b, shared_list=words, by=journal_b.owner
        ),
        lambda: shared_lists.subscribe(
            journal=third, shared_list=words, by=third.owner
        ),
    )

    assert all(isinstance(r, Subscription) for r in results), results
    assert Subscription.objects.filter(ended_at__isnull=True).count() == 2


def test_the_same_journal_following_twice_at_once_gets_one(journal_b, words):
    results = race(
        lambda: shared_lists.subscribe(
            journal=journal_b, shared_list=words, by=journal_b.owner
        ),
        lambda: shared_lists.subscribe(
            journal=journal_b, shared_list=words, by=journal_b.owner
        ),
    )

    refused = [r for r in results if isinstance(r, services.NotAllowed)]
    assert len(refused) == 1 and refused[0].code == "subscription.exists"
    assert Subscription.objects.count() == 1
