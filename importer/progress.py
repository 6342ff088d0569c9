"""How far a running import got, told through the cache.

The import runs in one transaction: a count written to the job's row inside
it stays invisible to the job page until the end, and on SQLite no other
connection may write while it runs. The cache (Redis in production, shared by
the app servers and the task workers) is outside the transaction, so the
page reads the count as it grows; the row gets its final count when the
import ends. A lost key only makes the page show the row's count.
"""

from __future__ import annotations

from django.core.cache import cache

SECONDS = 60 * 60


def _key(job_id: int) -> str:
    return f"importer:progress:{job_id}"


def publish(job_id: int, done: int, total: int) -> None:
    cache.set(_key(job_id), (done, total), SECONDS)


def read(job_id: int) -> tuple[int, int] | None:
    """(done, total) as the running import last told it, or None."""
    found = cache.get(_key(job_id))
    return tuple(found) if found else None


def forget(job_id: int) -> None:
    cache.delete(_key(job_id))
