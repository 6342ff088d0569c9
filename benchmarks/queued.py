"""Running the task queue inside a benchmark, as a worker would: the
benchmarks use the production settings, where tasks (mail, training) are rows
of the database queue that ``manage.py db_worker`` runs."""

from __future__ import annotations

from django.core.management import call_command
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def run_queued_tasks() -> None:
    """Run what the queue holds, in this process; nothing to do where tasks
    run right away."""
    # The backend itself: ``default_task_backend`` is a proxy to it.
    if isinstance(task_backends["default"], DatabaseBackend):
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            "*",
            verbosity=0,
        )


def queued() -> int:
    """How many tasks wait in the database queue."""
    return DBTaskResult.objects.ready().count()
