"""The owner's import page in the admin: upload, the job's page and status."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from importer import jobs, progress
from importer.models import ImportedItem, ImportFile, ImportJob, JobState
from journal.models import Comment, Post
from tests.factories import JournalFactory, UserFactory

from .conftest import BODIES, ENTRIES, FIXTURES, META

pytestmark = pytest.mark.django_db

ADD = "/admin/importer/importjob/add/"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def files(paths):
    return [
        SimpleUploadedFile(path.name, path.read_bytes(), "text/xml") for path in paths
    ]


def upload_data(journal, *, entries=ENTRIES, meta=META, bodies=BODIES, **extra):
    return {
        "journal": journal.pk,
        "site": "livejournal.com",
        "match_usernames": "on",
        "names": "",
        "entries": files(entries),
        "comment_meta": files(meta),
        "comment_body": files(bodies),
        "_save": "Start the import",
        **extra,
    }


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_journal(db):
    other = UserFactory(username="other_owner", is_staff=True)
    return JournalFactory(name="elsewhere", owner=other)


def test_an_owner_uploads_the_export_and_reads_the_report(
    owner_client, journal, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(ADD, upload_data(journal))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/importer/importjob/{job.pk}/change/"
    assert job.state == JobState.DONE
    assert job.created_by == journal.owner
    assert job.report["comments"]["created"] == 20
    assert Comment.objects.filter(journal=journal).count() == 20
    # The files were kept only as long as the job needed them.
    assert not ImportFile.objects.exists()
    assert [file["name"] for file in job.files] == [
        "entries.xml",
        "L-4.xml",
        "comment_meta.xml",
        "comment_meta_2.xml",
        "comment_body.xml",
        "comment_body_2.xml",
    ]

    page = owner_client.get(response["Location"])

    html = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="import-bar"' in html and 'max="30" value="30"' in html
    assert "Done: 30 items." in html
    assert "Comments: Held for moderation" in html
    assert "Comment 125 was deleted on the old site and has no replies." in html
    assert "6 comments by accounts here, 7 by people of" in html
    # Finished: no polling and no reloading.
    assert "progress.js" not in html and "refresh" not in html


def test_the_upload_form_offers_only_the_owners_journals(
    owner_client, journal, other_journal
):
    page = owner_client.get(ADD)

    assert page.status_code == 200
    assert f'value="{journal.pk}"' in page.content.decode()
    assert f'value="{other_journal.pk}"' not in page.content.decode()


def test_an_owner_cannot_import_into_another_owners_journal(
    owner_client, journal, other_journal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(ADD, upload_data(other_journal))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not ImportFile.objects.exists()
    assert not Post.objects.filter(journal=other_journal).exists()


def test_another_owners_job_and_its_status_are_not_found(
    client, journal, other_journal, django_capture_on_commit_callbacks
):
    client.force_login(other_journal.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, upload_data(other_journal))
    job = ImportJob.objects.get()
    client.force_login(journal.owner)

    page = client.get(f"/admin/importer/importjob/{job.pk}/change/")
    status = client.get(f"/admin/importer/importjob/{job.pk}/status/")
    listing = client.get("/admin/importer/importjob/")

    assert page.status_code == 302 and page["Location"] == "/admin/"
    assert status.status_code == 404 and status.json()["code"] == "not_found"
    assert f"/admin/importer/importjob/{job.pk}/change/" not in listing.content.decode()


def test_staff_without_a_journal_may_not_import(client, journal):
    client.force_login(UserFactory(username="clerk", is_staff=True))

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, upload_data(journal)).status_code == 403
    assert not ImportJob.objects.exists()


def test_a_hostile_upload_is_refused_and_nothing_is_stored(
    owner_client, journal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            ADD, upload_data(journal, entries=[FIXTURES / "xxe.xml"])
        )

    assert response.status_code == 200
    assert "xxe.xml declares a document type or entities" in response.content.decode()
    assert "root:" not in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not ImportFile.objects.exists()
    assert not Post.objects.exists()


def test_uploads_are_size_limited(owner_client, journal, settings):
    settings.IMPORTER = {"MAX_UPLOAD_BYTES": 2_000}

    response = owner_client.post(ADD, upload_data(journal))

    assert "one import takes at most 2.0\xa0KB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_comment_bodies_need_their_meta_files(owner_client, journal):
    response = owner_client.post(ADD, upload_data(journal, meta=[]))

    assert "Add the comment_meta file(s) too" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_names_map_refers_to_accounts_here(owner_client, journal, people):
    response = owner_client.post(ADD, upload_data(journal, names="marta_k = nobody"))

    assert "There is no account “nobody” here." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_queued_job_shows_its_progress_and_asks_for_more(
    owner_client, journal, people, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ADD, upload_data(journal))
    job = ImportJob.objects.get()
    assert job.state == JobState.QUEUED
    assert ImportFile.objects.filter(job=job).count() == 6

    page = owner_client.get(f"/admin/importer/importjob/{job.pk}/change/")
    status = owner_client.get(f"/admin/importer/importjob/{job.pk}/status/")

    html = page.content.decode()
    assert "Waiting for a worker to start the import." in html
    assert "js/progress.js" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'data-status-url="/admin/importer/importjob/{job.pk}/status/"' in html
    assert status.json() == {
        "state": "queued",
        "label": "Waiting to start",
        "done": 0,
        "total": 0,
        "finished": False,
        "text": "Waiting for a worker to start the import.",
    }
    assert "no-store" in status["Cache-Control"]


def test_a_running_jobs_status_comes_from_the_cache(owner_client, journal):
    job = ImportJob.objects.create(journal=journal, state=JobState.RUNNING, total=300)
    progress.publish(job.pk, 120, 300)

    status = owner_client.get(f"/admin/importer/importjob/{job.pk}/status/").json()

    assert status["done"] == 120 and status["total"] == 300
    assert status["text"] == "120 of 300 items (40%)"


def test_the_status_costs_the_user_and_the_job_alone(
    owner_client, journal, django_assert_num_queries
):
    job = ImportJob.objects.create(journal=journal)
    owner_client.get(f"/admin/importer/importjob/{job.pk}/status/")  # session warm

    with django_assert_num_queries(2):
        owner_client.get(f"/admin/importer/importjob/{job.pk}/status/")


def test_a_job_runs_once_however_often_its_task_comes(
    owner_client, journal, people, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ADD, upload_data(journal))
    job = ImportJob.objects.get()

    jobs.run_job(job.pk)
    jobs.run_job(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert ImportedItem.objects.filter(kind="comment").count() == 20
    assert not ImportFile.objects.exists()


def test_a_file_of_the_wrong_kind_fails_the_job_and_says_why(
    owner_client, journal, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(ADD, upload_data(journal, meta=BODIES, bodies=META))
    job = ImportJob.objects.get()

    page = owner_client.get(f"/admin/importer/importjob/{job.pk}/change/")

    assert job.state == JobState.FAILED
    assert job.report["error"]["code"] == "wrong_kind"
    assert "is not a file of the kind it was given as" in page.content.decode()
    assert not Comment.objects.exists()
    assert not ImportFile.objects.exists()
