"""The import as a background task (Django's task API, ``django_tasks``).

Enqueued with its job (``accounts.tasks.enqueue_at_commit``): with the
database queue the task is written in the transaction that records the job
and its files, so a worker never finds a job without them. Not retried: the
import is all or nothing, a failure is shown on the job's page, and the
owner may upload again.
"""

from __future__ import annotations

from django_tasks import task

from . import jobs


@task()
def run_import(job_id: int) -> None:
    jobs.run_job(job_id)
