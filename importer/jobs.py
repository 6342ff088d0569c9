"""An import job's life: queued, running, then done or failed, with its
report; its files are deleted as soon as it ends, whichever way."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone

from . import formats, importing, progress
from .models import ImportFile, ImportJob, JobState

log = logging.getLogger(__name__)


def options_of(job: ImportJob, *, dry_run: bool = False) -> importing.Options:
    return importing.Options(
        site=job.site,
        match_usernames=job.match_usernames,
        name_map=dict(job.name_map),
        dry_run=dry_run,
    )


def run_job(job_id: int) -> None:
    """Run a queued job on the files uploaded with it (the task's body).

    Only a queued job starts, by a conditional update: a task delivered twice
    finds it running or ended and does nothing. Call it outside any
    transaction: the import is one of its own, and the job's state changes
    around it must be seen while it runs."""
    claimed = ImportJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("journal").get(pk=job_id)
    try:
        sources = [
            formats.Source(kind=kind, name=name, data=bytes(data))
            for kind, name, data in ImportFile.objects.filter(job=job)
            .order_by("pk")
            .values_list("kind", "name", "data")
        ]
        execute(job, sources)
    finally:
        ImportFile.objects.filter(job=job).delete()
        progress.forget(job.pk)


def execute(
    job: ImportJob,
    sources: list[formats.Source],
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportJob:
    """Read ``sources`` and import them as ``job`` (running), then record how
    it ended. A refused file fails the job before anything is written."""
    try:
        export = formats.read(sources)
    except formats.ExportRefused as refused:
        return _finish(job, JobState.FAILED, refusal(refused))
    except Exception:
        # A file no rule foresaw: the job fails and says so, instead of
        # showing "Running" for ever.
        log.exception("Import job %s could not read its files", job.pk)
        return _finish(job, JobState.FAILED, {"error": {"code": "internal"}})
    return import_read(job, export, on_progress=on_progress)


def refusal(refused: formats.ExportRefused) -> dict:
    """The report of an upload refused whole."""
    return {"error": {"code": refused.code, **refused.params}}


def import_read(
    job: ImportJob,
    export: formats.Export,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportJob:
    """Import what was read for ``job`` (running), then record how it ended."""
    ImportJob.objects.filter(pk=job.pk).update(total=export.size, done=0)

    def tell(done: int, total: int) -> None:
        progress.publish(job.pk, done, total)
        if on_progress is not None:
            on_progress(done, total)

    try:
        report = importing.import_export(
            journal=job.journal,
            export=export,
            options=options_of(job),
            job=job,
            progress=tell,
        )
    except Exception:
        # Rolled back whole; the owner sees that it failed and may try again.
        log.exception("Import job %s failed", job.pk)
        return _finish(job, JobState.FAILED, {"error": {"code": "internal"}})
    return _finish(job, JobState.DONE, report)


def _finish(job: ImportJob, state: str, report: dict) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        report=report,
        done=F("total") if state == JobState.DONE else F("done"),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
