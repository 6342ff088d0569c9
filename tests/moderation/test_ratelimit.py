"""The rate limit's sliding window (the ``limits`` package's moving window), in
the process's memory and on a real Redis (as in production, where several app
servers share it)."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from journal.models import Comment
from moderation import ratelimit

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def clock(monkeypatch):
    """Wall-clock time that moves only when the test says so."""
    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_count_and_retry_after_follow_a_sliding_minute(clock):
    for _ in range(3):
        assert ratelimit.take_place(1, "user:7", limit=5)
        clock[0] += 10

    clock[0] = 1_000_030
    assert ratelimit.recent_activity(1, "user:7", limit=5).count == 3
    limited = ratelimit.recent_activity(1, "user:7", limit=3)
    assert (limited.count, limited.retry_after) == (3, 30)
    clock[0] = 1_000_061
    assert ratelimit.recent_activity(1, "user:7", limit=3).count == 2
    assert ratelimit.recent_activity(2, "user:7", limit=3).count == 0
    assert ratelimit.recent_activity(1, "ip:10.0.0.1", limit=3).count == 0


def test_a_lowered_limit_counts_the_comments_already_sent(clock):
    for _ in range(5):
        assert ratelimit.take_place(1, "user:8", limit=5)

    # The owner lowers the limit: the author is over it until a minute passes,
    # not given a fresh count under the new number.
    assert ratelimit.recent_activity(1, "user:8", limit=2).count >= 2
    assert not ratelimit.take_place(1, "user:8", limit=2)
    clock[0] += 61
    assert ratelimit.take_place(1, "user:8", limit=2)


def test_a_generous_limit_costs_a_comment_no_more_than_a_strict_one(monkeypatch):
    """Reading the count and taking a place are one storage call each, whatever
    the limit (the old scheme read ``limit`` keys twice per comment)."""
    storage = ratelimit.limiter().storage
    calls = []
    for name in ("get_moving_window", "acquire_entry"):
        method = getattr(storage, name)
        monkeypatch.setattr(
            storage,
            name,
            lambda *args, method=method, name=name, **kwargs: (
                calls.append(name) or method(*args, **kwargs)
            ),
        )

    for limit in (5, 1_000):
        calls.clear()
        ratelimit.recent_activity(4, f"user:{limit}", limit=limit)
        ratelimit.take_place(4, f"user:{limit}", limit=limit)
        assert calls == ["get_moving_window", "acquire_entry"]


def test_the_memory_storage_sweeps_old_places_with_one_thread(clock):
    """``limits`` starts a timer thread after each comment that comes 10 ms
    after the last; ours sweeps with one thread for the process's life."""
    storage = ratelimit._MemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item, *identifiers = ratelimit._window(1, "user:3", 3)
    timer = storage.timer

    for _ in range(3):
        assert limiter.hit(item, *identifiers)
        clock[0] += 1
    assert not limiter.hit(item, *identifiers)

    assert storage.timer is timer and storage._sweeper.is_alive()
    clock[0] += 61
    storage._MemoryStorage__expire_events()  # what the sweeper runs
    assert all(not events for events in storage.events.values())
    assert limiter.hit(item, *identifiers)


@pytest.mark.django_db
def test_the_web_form_refuses_the_comment_over_the_limit(reader_client, post):
    post.journal.rate_limit_per_minute = 2
    post.journal.save()
    url = f"/{post.journal.name}/{post.pk}/comment/"

    responses = [reader_client.post(url, {"body": f"comment {n}"}) for n in range(3)]

    # The third goes back to the post page (303), which says why; the API
    # answers the same refusal with a 429.
    assert [response.status_code for response in responses] == [302, 302, 303]
    shown = reader_client.get(responses[2]["Location"]).content.decode()
    assert "You are commenting too fast: try again in" in shown
    assert Comment.objects.count() == 2


@pytest.mark.skipif(not REDIS_URL and not os.environ.get("CI"), reason="set REDIS_URL")
def test_the_limit_is_shared_through_redis():
    assert REDIS_URL, "CI runs this test against the machine's Redis"
    with override_settings(MODERATION_RATE_LIMIT_STORAGE=REDIS_URL):
        ratelimit.reset()
        try:
            assert ratelimit.take_place(5, "ip:192.0.2.1", limit=2)
            assert ratelimit.take_place(5, "ip:192.0.2.1", limit=2)
            # Another app server, with a connection of its own, sees the two
            # places taken and takes none.
            other_server = MovingWindowRateLimiter(storage_from_string(REDIS_URL))
            item, *identifiers = ratelimit._window(5, "ip:192.0.2.1", 2)
            assert other_server.get_window_stats(item, *identifiers).remaining == 0
            assert not other_server.hit(item, *identifiers)
            activity = ratelimit.recent_activity(5, "ip:192.0.2.1", limit=2)
            assert activity.count == 2
            assert 58 <= activity.retry_after <= 60
            assert not ratelimit.take_place(5, "ip:192.0.2.1", limit=2)
            assert _simultaneous_takers(5, "ip:192.0.2.9", limit=3) == 3
        finally:
            ratelimit.reset()


def _simultaneous_takers(journal_id, author, *, limit, callers=16) -> int:
    """How many of ``callers`` threads, started at once, get a place."""
    start = threading.Barrier(callers)

    def take(_):
        start.wait()
        return ratelimit.take_place(journal_id, author, limit=limit)

    with ThreadPoolExecutor(callers) as pool:
        return sum(pool.map(take, range(callers)))


@pytest.mark.parametrize(
    "storage",
    [
        "memory://",
        pytest.param(
            REDIS_URL,
            marks=pytest.mark.skipif(
                not REDIS_URL and not os.environ.get("CI"), reason="set REDIS_URL"
            ),
        ),
    ],
)
def test_simultaneous_comments_get_no_more_places_than_the_limit(storage):
    with override_settings(MODERATION_RATE_LIMIT_STORAGE=storage):
        ratelimit.reset()
        try:
            assert _simultaneous_takers(3, "user:11", limit=4) == 4
            assert ratelimit.recent_activity(3, "user:11", limit=4).count == 4
        finally:
            ratelimit.reset()


@pytest.mark.django_db
def test_a_comment_that_lost_the_race_for_the_last_place_is_refused(
    reader_client, reader, post, monkeypatch
):
    """Two posts read the count at once; the one that finds no place left is
    refused by the rate rule and nothing of it is stored."""
    post.journal.rate_limit_per_minute = 1
    post.journal.save()
    key = ratelimit.author_key(user_id=reader.pk, ip_address=None)
    assert ratelimit.take_place(post.journal.pk, key, limit=1)  # the other post
    stale = ratelimit.RecentActivity(count=0, retry_after=0)
    fresh = ratelimit.recent_activity
    calls = []

    def read_before_the_other_post(*args, **kwargs):
        calls.append(args)
        return stale if len(calls) == 1 else fresh(*args, **kwargs)

    monkeypatch.setattr(ratelimit, "recent_activity", read_before_the_other_post)

    response = reader_client.post(
        f"/{post.journal.name}/{post.pk}/comment/", {"body": "one too many"}
    )

    assert response.status_code == 303
    shown = reader_client.get(response["Location"]).content.decode()
    assert "You are commenting too fast: try again in" in shown
    assert not Comment.objects.exists()
