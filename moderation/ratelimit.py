"""How many comments an author sent lately: a sliding one-minute window per
author and journal, kept by the ``limits`` package.

Its moving window is a log of the moments each comment took a place, trimmed
to the limit: one atomic step reads and takes a place (a Lua script on Redis,
a lock in memory), so a burst of simultaneous posts cannot all slip through on
one stale count, and the cost of a comment is the same whatever the limit.
Redis (``REDIS_URL``) in production, so every app server counts the same; the
process's memory without it (development and tests). The setting
``MODERATION_RATE_LIMIT_STORAGE`` names the storage as ``limits`` does.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from journal.client_ip import address_bucket

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RecentActivity:
    count: int
    retry_after: int  # seconds until the author is under ``limit`` again


class _PerMinute(RateLimitItemPerMinute):
    """``limit`` comments a minute, in one window per author and journal
    whatever the limit: an owner who lowers it stops an author who has sent
    more already, instead of starting them afresh under the new number."""

    def key_for(self, *identifiers) -> str:
        return "/".join((self.namespace, *map(str, identifiers)))


class _MemoryStorage(MemoryStorage):
    """``limits``' memory storage, swept of expired entries by one thread that
    lives as long as the process, where ``limits`` starts a thread after every
    comment that comes more than 10 ms after the last (starting one cost a
    comment more than the rest of the rate limit)."""

    SWEEP_SECONDS = WINDOW_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:
        # Replaces the storage's own (a new timer thread); a ``limits`` that
        # names it otherwise only brings its own timers back.
        sweeper = getattr(self, "_sweeper", None)
        if sweeper is None or not sweeper.is_alive():
            self._sweeper = threading.Thread(
                target=self._sweep, name="rate-limit-sweeper", daemon=True
            )
            self._sweeper.start()

    def _sweep(self) -> None:
        while True:
            time.sleep(self.SWEEP_SECONDS)
            self._MemoryStorage__expire_events()


@lru_cache(maxsize=4)
def _limiter(storage: str) -> MovingWindowRateLimiter:
    if storage == "memory://":
        return MovingWindowRateLimiter(_MemoryStorage())
    return MovingWindowRateLimiter(storage_from_string(storage))


def limiter() -> MovingWindowRateLimiter:
    """The limiter of the configured storage, one per process."""
    return _limiter(getattr(settings, "MODERATION_RATE_LIMIT_STORAGE", "memory://"))


def reset() -> None:
    """Forget every count (the tests start each from nothing)."""
    limiter().storage.reset()


def author_key(*, user_id: int | None, ip_address: str | None) -> str:
    """Whose places a comment takes: the user's, or the client address's (an
    IPv6 visitor's whole /64)."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"ip:{address_bucket(ip_address)}"


def _window(journal_id: int, author: str, limit: int) -> tuple[_PerMinute, str, str]:
    digest = hashlib.sha256(author.encode()).hexdigest()[:32]
    return _PerMinute(limit, namespace="comments"), str(journal_id), digest


def recent_activity(journal_id: int, author: str, limit: int) -> RecentActivity:
    """How many places the author used in the last minute, and when one frees up."""
    if not limit:
        return RecentActivity(count=0, retry_after=0)
    item, *identifiers = _window(journal_id, author, limit)
    reset_at, remaining = limiter().get_window_stats(item, *identifiers)
    count = limit - remaining
    if count < limit:
        return RecentActivity(count=count, retry_after=0)
    # The oldest comment in the window leaves it at ``reset_at``.
    return RecentActivity(
        count=count, retry_after=max(math.ceil(reset_at - time.time()), 1)
    )


def take_place(journal_id: int, author: str, limit: int) -> bool:
    """Take one of the author's places for a comment; False when none is free.

    Atomic across processes and app servers: each free place goes to exactly
    one caller. With no limit there is nothing to take.
    """
    if not limit:
        return True
    item, *identifiers = _window(journal_id, author, limit)
    return limiter().hit(item, *identifiers)
