"""The rate limit's sliding window, on the cache Django is configured with and on
a real Redis (as in production, where several app servers share it)."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.test import override_settings

from journal.models import Comment
from moderation import ratelimit

REDIS_URL = os.environ.get("REDIS_URL", "")


def test_count_and_retry_after_follow_a_sliding_minute():
    for offset in (0, 10, 20):
        assert ratelimit.take_place(1, "user:7", limit=5, now=1000 + offset)

    assert ratelimit.recent_activity(1, "user:7", limit=5, now=1030).count == 3
    limited = ratelimit.recent_activity(1, "user:7", limit=3, now=1030)
    assert (limited.count, limited.retry_after) == (3, 30)
    assert ratelimit.recent_activity(1, "user:7", limit=3, now=1061).count == 2
    assert ratelimit.recent_activity(2, "user:7", limit=3, now=1030).count == 0
    assert ratelimit.recent_activity(1, "ip:10.0.0.1", limit=3, now=1030).count == 0


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
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "journal-tests",
        }
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].clear()
        assert ratelimit.take_place(5, "ip:192.0.2.1", limit=2, now=2000)
        assert ratelimit.take_place(5, "ip:192.0.2.1", limit=2, now=2001)
        # A second connection, like another app server, sees the places taken.
        from django.core.cache.backends.redis import RedisCache

        other_server = RedisCache(REDIS_URL, {"KEY_PREFIX": "journal-tests"})
        keys = ratelimit._place_keys(5, "ip:192.0.2.1", 2)
        assert sorted(other_server.get_many(keys).values()) == [2000, 2001]
        assert (
            ratelimit.recent_activity(5, "ip:192.0.2.1", limit=2, now=2010).retry_after
            == 50
        )
        assert not ratelimit.take_place(5, "ip:192.0.2.1", limit=2, now=2010)
        assert _simultaneous_takers(5, "ip:192.0.2.9", limit=3) == 3
        caches["default"].clear()


def _simultaneous_takers(journal_id, author, *, limit, callers=16) -> int:
    """How many of ``callers`` threads, started at once, get a place."""
    start = threading.Barrier(callers)

    def take(_):
        start.wait()
        return ratelimit.take_place(journal_id, author, limit=limit)

    with ThreadPoolExecutor(callers) as pool:
        return sum(pool.map(take, range(callers)))


def test_simultaneous_comments_get_no_more_places_than_the_limit():
    assert _simultaneous_takers(3, "user:11", limit=4) == 4
    assert ratelimit.recent_activity(3, "user:11", limit=4).count == 4


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
