"""Starting imports: from the admin's upload (a job a worker runs) and from
the command (run here and now). Both record an ``ImportJob`` with its report,
so the admin lists every import a journal had."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.tasks import enqueue_at_commit
from journal.models import Journal

from . import formats, importing, jobs, tasks
from .models import ImportFile, ImportJob, JobState


def parse_name_map(lines: Iterable[str]) -> dict[str, str]:
    """ "old name = username here", one a line, as {old name: username}, each
    username checked to be an account here. Raises ValidationError."""
    names: dict[str, str] = {}
    errors = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        old, equals, new = line.partition("=")
        old, new = old.strip().lower(), new.strip()
        if not equals or not importing.USERNAME.fullmatch(old) or not new:
            errors.append(
                _("Line %(number)s: write “old name = username here”.")
                % {"number": number}
            )
            continue
        names[old] = new
    wanted = {new.lower() for new in names.values()}
    found = set(
        get_user_model()
        .objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=wanted)
        .values_list("lower_name", flat=True)
    )
    for missing in sorted(wanted - found):
        errors.append(_("There is no account “%(name)s” here.") % {"name": missing})
    if errors:
        raise ValidationError(errors)
    return names


def _file_list(sources: Iterable[formats.Source]) -> list[dict]:
    return [
        {"kind": source.kind, "name": source.name, "size": len(source.data)}
        for source in sources
    ]


def start_import(
    *,
    journal: Journal,
    by,
    sources: list[formats.Source],
    site: str,
    match_usernames: bool,
    name_map: dict[str, str],
) -> ImportJob:
    """Record a job with its files; a task worker runs it once this commits
    (right away in development and tests)."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            journal=journal,
            created_by=by,
            site=site,
            match_usernames=match_usernames,
            name_map=name_map,
            files=_file_list(sources),
        )
        ImportFile.objects.bulk_create(
            ImportFile(job=job, kind=source.kind, name=source.name, data=source.data)
            for source in sources
        )
        enqueue_at_commit(tasks.run_import, job.pk)
    return job


def import_now(
    *,
    journal: Journal,
    sources: list[formats.Source],
    options: importing.Options,
    by=None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[ImportJob | None, dict]:
    """Import here and now (the command): the job it recorded, and the
    report. The files are read first: a refused one, or a dry run, records
    no job and keeps nothing."""
    try:
        export = formats.read(sources)
    except formats.ExportRefused as refused:
        return None, jobs.refusal(refused)
    if options.dry_run:
        report = importing.import_export(
            journal=journal, export=export, options=options, progress=on_progress
        )
        return None, report
    job = ImportJob.objects.create(
        journal=journal,
        created_by=by,
        state=JobState.RUNNING,
        started_at=timezone.now(),
        site=options.site,
        match_usernames=options.match_usernames,
        name_map=dict(options.name_map),
        files=_file_list(sources),
    )
    job = jobs.import_read(job, export, on_progress=on_progress)
    return job, job.report
