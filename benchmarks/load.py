"""The load test: gunicorn on PostgreSQL with Redis, loaded by locust.

Run by ``benchmarks.__main__``; locust lives in its own virtualenv, so this
module only starts processes and reads their reports.
"""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis

from .common import REDIS_URL, ROOT, WORK, database_url, drop_database, log
from .common import site_environment as site_env

WORKERS = 4
USERS = 8
MIXED_SECONDS = 30
STATIC_SECONDS = 10
DATABASE = "bench_load"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, path: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(base + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start within 60 s")


def _locust(locust: Path, env: dict, base: str, user_class: str, seconds: int):
    prefix = WORK / f"locust-{user_class}"
    subprocess.run(
        [
            str(locust),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(USERS),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            # Let each user finish the request it is making when time is up, so
            # every comment the server stored has its response recorded.
            "--stop-timeout",
            "10",
            "--loglevel",
            "WARNING",
            user_class,
        ],
        env=env,
        check=False,  # locust exits 1 when any request failed; we report that
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    return rows


def _row(stats: dict) -> dict:
    return {
        "requests": int(stats["Request Count"]),
        "errors": int(stats["Failure Count"]),
        "rps": round(float(stats["Requests/s"]), 1),
        "p50_ms": float(stats["50%"]),
        "p95_ms": float(stats["95%"]),
        "p99_ms": float(stats["99%"]),
    }


def run(python: str, locust: Path) -> dict:
    url = database_url("postgresql", DATABASE)
    env = site_env(url, REDIS_URL=REDIS_URL)
    setup_path = WORK / "load-setup.json"
    accepted_path = WORK / "load-accepted.json"
    try:
        log("load: building data on PostgreSQL")
        subprocess.run(
            [python, "-m", "benchmarks.ours", "--load-data", "--out", str(setup_path)],
            env=env,
            check=True,
            cwd=ROOT,
        )
        # Rate-limit counters of an earlier run would count against this one.
        redis.Redis.from_url(REDIS_URL).flushdb()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(Path(python).with_name("gunicorn")),
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            setup = json.loads(setup_path.read_text())
            _wait_until_up(base, setup["static_url"], server)
            locust_env = {
                **env,
                "LOAD_SETUP": str(setup_path),
                "LOAD_ACCEPTED": str(accepted_path),
            }
            log(f"load: mixed workload, {USERS} users, {MIXED_SECONDS} s")
            mixed = _locust(locust, locust_env, base, "MixedUser", MIXED_SECONDS)
            log(f"load: static file, {STATIC_SECONDS} s")
            static_env = {**locust_env, "LOAD_ACCEPTED": str(WORK / "unused.json")}
            static = _locust(locust, static_env, base, "StaticUser", STATIC_SECONDS)
        finally:
            server.terminate()
            server.wait(timeout=30)
        check_path = WORK / "load-check.json"
        subprocess.run(
            [
                python,
                "-m",
                "benchmarks.ours",
                "--verify-load",
                str(accepted_path),
                "--setup",
                str(setup_path),
                "--out",
                str(check_path),
            ],
            env=env,
            check=True,
            cwd=ROOT,
        )
        result = {
            "workers": WORKERS,
            "users": USERS,
            "seconds": MIXED_SECONDS,
            "mixed": _row(mixed["Aggregated"]),
            "by_kind": {
                name: _row(row) for name, row in mixed.items() if name != "Aggregated"
            },
            "static": _row(static["Aggregated"]),
            "comments": json.loads(check_path.read_text()),
        }
        return result
    finally:
        drop_database("postgresql", DATABASE)


if __name__ == "__main__":
    print(json.dumps(run(sys.executable, WORK / "locust-venv" / "bin" / "locust")))
