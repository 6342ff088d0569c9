"""How many comments an author sent lately, kept in Django's cache.

The cache is Redis in production (REDIS_URL), so every app server sees the same
counts. An author has ``limit`` places per journal, each a cache key holding the
moment a comment took it and expiring a minute later: a sliding one-minute log.
A comment takes a place with ``cache.add``, which succeeds for one caller only,
so a burst of simultaneous posts cannot all slip through on one stale count.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

from journal.client_ip import address_bucket

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RecentActivity:
    count: int
    retry_after: int  # seconds until the author is under ``limit`` again


def author_key(*, user_id: int | None, ip_address: str | None) -> str:
    """Whose places a comment takes: the user's, or the client address's (an
    IPv6 visitor's whole /64)."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"ip:{address_bucket(ip_address)}"


def _place_keys(journal_id: int, author: str, limit: int) -> list[str]:
    digest = hashlib.sha256(author.encode()).hexdigest()[:32]
    return [f"ratelimit:comments:{journal_id}:{digest}:{n}" for n in range(limit)]


def recent_activity(
    journal_id: int, author: str, limit: int, now: float | None = None
) -> RecentActivity:
    """How many places the author used in the last minute, and when one frees up."""
    if not limit:
        return RecentActivity(count=0, retry_after=0)
    now = time.time() if now is None else now
    stamps = sorted(
        stamp
        for stamp in cache.get_many(_place_keys(journal_id, author, limit)).values()
        if stamp > now - WINDOW_SECONDS
    )
    if len(stamps) < limit:
        return RecentActivity(count=len(stamps), retry_after=0)
    return RecentActivity(
        count=len(stamps), retry_after=math.ceil(stamps[0] + WINDOW_SECONDS - now)
    )


def take_place(
    journal_id: int, author: str, limit: int, now: float | None = None
) -> bool:
    """Take one of the author's places for a comment; False when none is free.

    Atomic across processes and app servers: each free place goes to exactly
    one caller. With no limit there is nothing to take.
    """
    if not limit:
        return True
    now = time.time() if now is None else now
    keys = _place_keys(journal_id, author, limit)
    taken = cache.get_many(keys)
    for key in keys:
        # A place whose key still exists is someone's, even if the clock says
        # its minute is over: only the cache's own expiry frees it, so two
        # callers can never both take it.
        if key not in taken and cache.add(key, now, timeout=WINDOW_SECONDS):
            return True
    return False
