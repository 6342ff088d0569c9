"""A real task worker and a real SMTP server: a held comment's mail to the
journal's moderators goes from the write path, through the database queue and
a ``manage.py db_worker`` process started here, to an SMTP server (aiosmtpd)
listening on 127.0.0.1, as in production. Nothing is mocked.

PostgreSQL only: the worker is another process, and needs the test's committed
rows in a database server (SQLite's test database lives in this process). CI
runs the suite on PostgreSQL too.
"""

from __future__ import annotations

import email
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accounts.models import OutgoingMail
from journal import services as journal_services
from journal.models import CommentState

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process needs a PostgreSQL test database; CI runs it there",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.received: queue.Queue = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.put((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> list:
        messages, deadline = [], time.monotonic() + timeout
        while len(messages) < count:
            try:
                messages.append(
                    self.received.get(timeout=max(deadline - time.monotonic(), 0.01))
                )
            except queue.Empty:
                break
        return messages


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _test_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's copy)."""
    db = connection.settings_dict
    login = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        login += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{login}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, smtp_server, settings):
    """``manage.py db_worker`` on this test's database, with production settings
    and Django's SMTP backend pointed at the test's server. Stopped before the
    database is emptied for the next test."""
    controller, _inbox = smtp_server
    settings.TASKS = DATABASE_QUEUE  # this process enqueues into the database
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # Its own cache in memory: a Redis shared with other runs could hold the
    # moderators' ten-minute mail window.
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="worker-test-secret-key-" + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE="0",
        DJANGO_TASKS="database",
        DATABASE_URL=_test_database_url(),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST=controller.hostname,
        DJANGO_EMAIL_PORT=str(controller.port),
        DJANGO_SITE_URL="https://journal.example.org",
    )
    log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the worker)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")[-4000:]

    process.output = output
    yield process
    process.send_signal(signal.SIGTERM)  # db_worker stops between tasks
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    log.close()


def test_a_held_comments_mail_reaches_the_moderators_through_a_worker_and_smtp(
    worker, smtp_server, journal_a, post_a, author
):
    _controller, inbox = smtp_server
    journal_a.screening = "all"
    journal_a.trust_approved_authors = False
    journal_a.save()

    comment = journal_services.submit_comment(
        post=post_a, author=author, body="Waiting for a moderator's eye"
    )

    assert comment.state == CommentState.HELD
    received = inbox.wait_for(2, timeout=15)
    assert worker.poll() is None, worker.output()
    assert len(received) == 2, "No mail within 15 s; the worker said:\n" + (
        worker.output()
    )
    by_recipient = {tuple(rcpt_tos): message for rcpt_tos, message in received}
    assert sorted(by_recipient) == [("mod_a@example.org",), ("owner_a@example.org",)]
    message = by_recipient[("mod_a@example.org",)]
    assert message["Subject"] == "[alpha] 1 comment awaiting moderation"
    assert message["To"] == "mod_a@example.org"
    body = message.get_content()
    assert "Waiting for a moderator's eye" in body
    assert "https://journal.example.org/moderation/" in body

    # The outbox and the queue say so too, once the worker has written it down.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        states = set(OutgoingMail.objects.values_list("state", flat=True))
        task = DBTaskResult.objects.get()
        if states == {"sent"} and task.status == "SUCCESSFUL":
            break
        time.sleep(0.1)
    assert states == {"sent"}
    assert task.task_path == "moderation.tasks.held_comment_waiting"
    assert task.status == "SUCCESSFUL", task.traceback or worker.output()
