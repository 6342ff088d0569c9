"""The import as a task on the database queue (production's backend)."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from importer import formats, services
from importer.models import ImportFile, ImportJob, JobState

from .conftest import ENTRIES

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def start(journal):
    return services.start_import(
        journal=journal,
        by=journal.owner,
        sources=[
            formats.Source(formats.ENTRIES, path.name, path.read_bytes())
            for path in ENTRIES
        ],
        site="livejournal.com",
        match_usernames=True,
        name_map={},
    )


def test_the_job_its_files_and_its_task_are_written_together(journal, settings):
    settings.TASKS = DATABASE

    job = start(journal)

    task = DBTaskResult.objects.get()
    assert task.task_path == "importer.tasks.run_import"
    assert task.args_kwargs["args"] == [job.pk]
    assert job.state == JobState.QUEUED
    assert ImportFile.objects.filter(job=job).count() == 2


def test_a_rolled_back_upload_leaves_no_job_and_no_task(journal, settings):
    settings.TASKS = DATABASE

    with transaction.atomic():
        start(journal)
        transaction.set_rollback(True)

    assert not ImportJob.objects.exists()
    assert not ImportFile.objects.exists()
    assert not DBTaskResult.objects.exists()
