"""Two replies tripping a sub-thread's heat at the same moment, on two real
database connections: one screening, one audit entry.

Runs on PostgreSQL (CI runs the suite there too): SQLite's shared in-memory test
database cannot hold two concurrent writers at all.
"""

import pytest
from django.db import connection

from journal import services as journal_services
from journal.models import Comment
from moderation import heat
from moderation.models import AuditEntry, HeatScreening
from tests.factories import CommentFactory, UserFactory
from tests.moderation.test_race import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections to PostgreSQL; CI runs it there",
    ),
]


@pytest.fixture
def hot_thread(post):
    journal = post.journal
    journal.heat_replies, journal.rate_limit_per_minute = 2, 0
    journal.save()
    return CommentFactory(post=post, body_source="Top")


@pytest.mark.parametrize("attempt", range(3))
def test_two_trips_at_once_make_one_screening(post, hot_thread, attempt):
    def trip():
        return heat.screen_thread(journal=post.journal, thread_id=hot_thread.pk)

    results = race(trip, trip, trip)

    assert sum(isinstance(result, HeatScreening) for result in results) == 1
    assert results.count(None) == 2
    assert HeatScreening.objects.filter(thread=hot_thread).count() == 1
    assert AuditEntry.objects.filter(action="heat.screened").count() == 1


def test_replies_racing_past_the_threshold_are_all_stored_once_screened(
    post, hot_thread
):
    writers = [UserFactory(username=f"racer{n}") for n in range(3)]
    journal_services.submit_comment(
        post=post, author=writers[0], body="First.", parent_id=hot_thread.pk
    )

    def reply(author):
        return lambda: journal_services.submit_comment(
            post=post, author=author, body=f"By {author}.", parent_id=hot_thread.pk
        )

    results = race(reply(writers[1]), reply(writers[2]))

    assert all(isinstance(result, Comment) for result in results), results
    assert HeatScreening.objects.filter(thread=hot_thread).count() == 1
