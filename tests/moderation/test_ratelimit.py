"""The rate limit's sliding window, on the cache Django is configured with and on
a real Redis (as in production, where several app servers share it)."""

import os

import pytest
from django.core.cache import caches
from django.test import override_settings

from journal.models import Comment
from moderation import ratelimit

REDIS_URL = os.environ.get("REDIS_URL", "")


def test_count_and_retry_after_follow_a_sliding_minute():
    for offset in (0, 10, 20):
        ratelimit.record(1, "user:7", now=1000 + offset)

    assert ratelimit.recent_activity(1, "user:7", limit=5, now=1030).count == 3
    limited = ratelimit.recent_activity(1, "user:7", limit=3, now=1030)
    assert (limited.count, limited.retry_after) == (3, 30)
    assert ratelimit.recent_activity(1, "user:7", limit=3, now=1061).count == 2
    assert ratelimit.recent_activity(2, "user:7", limit=3, now=1030).count == 0
    assert ratelimit.recent_activity(1, "ip:10.0.0.1", limit=3, now=1030).count == 0


@pytest.mark.django_db
def test_the_web_form_refuses_the_comment_over_the_limit_with_429(reader_client, post):
    post.journal.rate_limit_per_minute = 2
    post.journal.save()
    url = f"/{post.journal.name}/{post.pk}/comment/"

    statuses = [
        reader_client.post(url, {"body": f"comment {n}"}).status_code for n in range(3)
    ]

    assert statuses == [302, 302, 429]
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
        ratelimit.record(5, "ip:192.0.2.1", now=2000)
        ratelimit.record(5, "ip:192.0.2.1", now=2001)
        # A second connection, like another app server, sees the same count.
        from django.core.cache.backends.redis import RedisCache

        other_server = RedisCache(REDIS_URL, {"KEY_PREFIX": "journal-tests"})
        key = ratelimit._cache_key(5, "ip:192.0.2.1")
        assert len(other_server.get(key)) == 2
        assert (
            ratelimit.recent_activity(5, "ip:192.0.2.1", limit=2, now=2010).retry_after
            == 50
        )
        caches["default"].clear()
