"""Many writers at once, under gunicorn, on the database the suite runs on.

Starts the real app (gunicorn, several workers) against a scratch database of
the same kind as the test run (PostgreSQL or a SQLite file in WAL mode), fires
8 client processes × 100 comment posts and replies at 127.0.0.1, kills one
worker in the middle, then checks the database directly: every accepted comment
stored exactly once, nothing half-written, every path consistent, no 5xx.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from multiprocessing import Pool
from pathlib import Path

import pytest

from tests.live_app import CLIENTS, WORKERS

ROOT = Path(__file__).resolve().parents[2]
POSTS_EACH = 100
pytestmark = pytest.mark.reliability


@pytest.fixture
def live_app(scratch_database, start_app):
    base, data, server = start_app(scratch_database)
    return base, data, server, scratch_database


def _client(arguments):
    """One client process: POSTS_EACH comments, half of them replies."""
    base, post_id, key, number = arguments
    rng = random.Random(number)
    mine: list[int] = []
    results = []
    for index in range(POSTS_EACH):
        marker = f"burst-{number}-{index}-{uuid.uuid4().hex[:6]}"
        payload = {"body": marker}
        if mine and index % 2:
            payload["parent"] = rng.choice(mine)
        request = urllib.request.Request(
            f"{base}/api/posts/{post_id}/comments/",
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {key}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.loads(response.read())
                results.append(
                    (marker, response.status, body["id"], payload.get("parent"))
                )
                mine.append(body["id"])
        except urllib.error.HTTPError as error:
            results.append((marker, error.code, None, payload.get("parent")))
        except (OSError, http.client.HTTPException):
            # The connection dropped, before the answer or in the middle of it
            # (IncompleteRead) when the killed worker was sending it.
            results.append((marker, 0, None, payload.get("parent")))
    return results


def _stored(database_url: str) -> list[tuple]:
    query = (
        "SELECT id, parent_id, path, body_source, state FROM journal_comment "
        "ORDER BY path"
    )
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(query).fetchall()
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(query).fetchall()


def test_concurrent_writers_with_a_worker_killed_lose_nothing(live_app, tmp_path):
    base, data, server, database_url = live_app
    workers = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=True
    ).stdout.split()
    jobs = [(base, data["post"], key, n) for n, key in enumerate(data["keys"])]

    with Pool(CLIENTS) as pool:
        pending = pool.map_async(_client, jobs)
        time.sleep(1.0)
        os.kill(int(workers[0]), signal.SIGKILL)  # a worker dies mid-burst
        results = [row for rows in pending.get(timeout=600) for row in rows]

    stored = _stored(database_url)
    by_marker: dict[str, list] = {}
    for row in stored:
        by_marker.setdefault(row[3], []).append(row)
    accepted = [r for r in results if r[1] == 201]
    server_errors = [r for r in results if r[1] >= 500]
    dropped = [r for r in results if r[1] == 0]
    lost = [
        r for r in accepted if [row[0] for row in by_marker.get(r[0], [])] != [r[2]]
    ]

    report = {
        "database": database_url.split(":")[0],
        "sent": len(results),
        "accepted": len(accepted),
        "stored": len(stored),
        "lost": len(lost),
        "server_errors": len(server_errors),
        "connections_dropped_by_the_killed_worker": len(dropped),
    }
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"reliability-{report['database']}.json").write_text(
        json.dumps(report, indent=2)
    )

    assert len(results) == CLIENTS * POSTS_EACH
    assert server_errors == []
    assert lost == []
    assert all(len(rows) == 1 for rows in by_marker.values())  # nothing stored twice
    assert (
        len(accepted) >= CLIENTS * POSTS_EACH - 2 * WORKERS
    )  # only in-flight ones drop
    paths = {row[0]: row[2] for row in stored}
    for comment_id, parent_id, path, _body, state in stored:
        assert state == "published"
        assert path, "a half-written comment (no path)"
        expected = (paths[parent_id] if parent_id else "") + f"{comment_id:010d}"
        assert path == expected
