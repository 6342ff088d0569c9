"""How many comments an author sent lately, kept in Django's cache.

The cache is Redis in production (REDIS_URL), so every app server sees the same
counts. A sliding one-minute log per author and journal; the rule pipeline reads
the count, and only comments that were stored are recorded.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RecentActivity:
    count: int
    retry_after: int  # seconds until the author is under ``limit`` again


def author_key(*, user_id: int | None, ip_address: str | None) -> str:
    if user_id is not None:
        return f"user:{user_id}"
    return f"ip:{ip_address or 'unknown'}"


def _cache_key(journal_id: int, author: str) -> str:
    digest = hashlib.sha256(author.encode()).hexdigest()[:32]
    return f"ratelimit:comments:{journal_id}:{digest}"


def _recent(journal_id: int, author: str, now: float) -> list[float]:
    stamps = cache.get(_cache_key(journal_id, author)) or []
    return sorted(stamp for stamp in stamps if stamp > now - WINDOW_SECONDS)


def recent_activity(
    journal_id: int, author: str, limit: int, now: float | None = None
) -> RecentActivity:
    now = time.time() if now is None else now
    stamps = _recent(journal_id, author, now)
    if not limit or len(stamps) < limit:
        return RecentActivity(count=len(stamps), retry_after=0)
    # Wait until enough of the oldest comments leave the window.
    freed_at = stamps[len(stamps) - limit] + WINDOW_SECONDS
    return RecentActivity(count=len(stamps), retry_after=math.ceil(freed_at - now))


def record(journal_id: int, author: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    stamps = [*_recent(journal_id, author, now), now]
    cache.set(_cache_key(journal_id, author), stamps, timeout=WINDOW_SECONDS)
