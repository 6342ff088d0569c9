"""Starting the app under gunicorn on a scratch database: for the reliability
tests and the API contract test. Loaded for every test through
``pytest_plugins`` in tests/conftest.py."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIENTS, WORKERS = 8, 4

SETUP = """
import json
from accounts.models import User
from accounts.tokens import create_token
from journal.models import Journal
from journal.services import save_post
from journal.models import Post
owner = User.objects.create_user("burst_owner", password="x-long-password-1")
journal = Journal.objects.create(
    name="burst", title="Burst", owner=owner, comment_access="registered",
    rate_limit_per_minute=0, link_limit=0, ip_logging="none")
post = save_post(post=Post(journal=journal, title="Under load", body_source="<p>x</p>"))
keys = []
for n in range(CLIENTS):
    user = User.objects.create_user(f"burst{n}", password="x-long-password-1")
    keys.append(create_token(user=user, name="burst")[1])
print(json.dumps({"post": post.pk, "keys": keys}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"journal_burst_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        scratch = url.rsplit("/", 1)[0] + f"/{name}"
        yield scratch
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'burst.sqlite3'}"


@pytest.fixture
def start_app():
    """Start the app under gunicorn against a database; stopped after the test."""
    servers = []

    def start(database_url, *, app_database_url=None, setup=None, workers=WORKERS):
        server, base, data = _start(
            database_url,
            app_database_url or database_url,
            setup=setup or f"CLIENTS = {CLIENTS}\n{SETUP}",
            workers=workers,
        )
        servers.append(server)
        return base, data, server

    yield start
    for server in servers:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _start(scratch_database, app_database_url, *, setup: str, workers: int):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="burst-test-secret-key-" + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE="0",
        DATABASE_URL=scratch_database,
    )
    env.pop("REDIS_URL", None)
    python = sys.executable
    # As a deployment would: migrate, and collect static files for whitenoise's
    # manifest (production settings need it for every static URL).
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    setup = subprocess.run(
        [python, "manage.py", "shell", "-v", "0", "-c", setup],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    env["DATABASE_URL"] = app_database_url
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        # A file, not a pipe: nobody reads a pipe while the test runs, and a
        # full one would stop every worker at its next log line.
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/api/journals/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        log.seek(0)
        pytest.fail("gunicorn did not start: " + log.read().decode()[-2000:])
    return server, base, data
