"""Helpers shared by the benchmark parts: timing, query counts, scratch databases."""

from __future__ import annotations

import gc
import os
import re
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".bench"  # scratch databases, virtualenvs and results; not committed
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_url(database: str, name: str) -> str:
    """A scratch database: a fresh SQLite file, or a new PostgreSQL database."""
    if database == "sqlite":
        WORK.mkdir(exist_ok=True)
        path = WORK / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(database: str, name: str) -> None:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{WORK / name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_environment(database_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings: debug off, plain HTTP on 127.0.0.1."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE": "0",
        "DATABASE_URL": database_url,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def timed(
    function, *, repeat: int, warmup: int = 2, before=None
) -> tuple[float, object]:
    """Median wall time of ``function()`` in ms after warm-up, and its last
    result; ``before()``, when given, runs untimed before each call."""
    result = None
    for _ in range(warmup):
        if before:
            before()
        result = function()
    samples = []
    # Everything alive before timing is frozen (gc.freeze): each sample's
    # collection, below, then walks only what the samples left. Walking the
    # whole process (every module imported, every row the benchmark built)
    # would evict the CPU caches and charge the next sample for the size of
    # the process rather than for its own work, as no server's frequent
    # young collections do.
    gc.collect()
    freezing = os.environ.get("BENCH_GC_FREEZE", "1") == "1"
    if freezing:
        gc.freeze()
    try:
        for _ in range(repeat):
            if before:
                before()
            # Start each sample with a clean heap, so that a collection triggered
            # by an earlier sample's garbage does not land in this one.
            gc.collect()
            started = time.perf_counter()
            result = function()
            samples.append(time.perf_counter() - started)
    finally:
        if freezing:
            gc.unfreeze()
    return median_ms(samples), result


# A statement that writes: an INSERT, UPDATE or DELETE, alone or after a WITH
# (the comment's insert takes its id in one: journal.services).
WRITE = re.compile(
    r"\s*(WITH\b.*\)\s*)?(INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL
)


@contextmanager
def counting_queries():
    """Count SQL statements, transactions committed and writes outside them."""
    counts = {"queries": 0, "transactions": 0, "writes_outside_transaction": 0}

    def wrapper(execute, sql, params, many, context):
        counts["queries"] += 1
        if not connection.in_atomic_block and WRITE.match(sql):
            counts["writes_outside_transaction"] += 1
        return execute(sql, params, many, context)

    commit = connection.commit

    def counted_commit():
        counts["transactions"] += 1
        return commit()

    connection.commit = counted_commit
    try:
        with connection.execute_wrapper(wrapper):
            yield counts
    finally:
        del connection.commit


def request_figures(prefix: str, ms: float, counts: dict) -> dict:
    """A timed request's figures, named ``<prefix>_ms``, ``<prefix>_queries``..."""
    return {
        f"{prefix}_ms": ms,
        f"{prefix}_queries": counts["queries"],
        f"{prefix}_transactions": counts["transactions"],
        f"{prefix}_writes_outside_transaction": counts["writes_outside_transaction"],
    }
