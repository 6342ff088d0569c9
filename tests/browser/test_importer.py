"""The owner imports a LiveJournal export in Chromium: the upload form, the
job's page whose progress bar follows the import (static/js/progress.js, under
the content security policy), and the report once it is done."""

import pytest

from importer import formats, jobs, progress
from importer.models import ImportFile, ImportJob, JobState
from journal.models import Comment
from tests.factories import PASSWORD, JournalFactory, UserFactory
from tests.importer.conftest import BODIES, ENTRIES, META

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The job waits in the queue until the test plays the worker.
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def journal(transactional_db, settings):
    settings.TASKS = DUMMY
    settings.IMPORTER = {"POLL_MS": 300}
    owner = UserFactory(username="lj_owner", is_staff=True)
    UserFactory(username="frank")
    return JournalFactory(name="harbour", title="Harbour News", owner=owner)


def bar(page) -> dict:
    return page.evaluate(
        """() => {
          const bar = document.getElementById("import-bar");
          return {value: bar.value, max: bar.max, position: bar.position};
        }"""
    )


def test_the_owner_uploads_an_export_and_watches_it_run_to_its_report(
    chromium, live_server, journal, artifacts_dir
):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    # Status requests wait in the browser until the test next drives it, so
    # the server never reads while the test plays the worker.
    page.route("**/status/", lambda route: route.continue_())
    try:
        page.goto("/accounts/login/?next=/admin/importer/importjob/add/")
        page.get_by_label("Username").fill("lj_owner")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/importjob/add/")

        page.get_by_label("Journal").select_option(str(journal.pk))
        page.get_by_label("Entries").set_input_files([str(path) for path in ENTRIES])
        page.get_by_label("Comments: comment_meta").set_input_files(
            [str(path) for path in META]
        )
        page.get_by_label("Comments: comment_body").set_input_files(
            [str(path) for path in BODIES]
        )
        page.screenshot(path=artifacts_dir / "importer-upload.png", full_page=True)
        page.get_by_role("button", name="Start the import").click()
        page.wait_for_url("**/importjob/*/change/")

        status = page.get_by_role("status")
        assert status.inner_text() == "Waiting for a worker to start the import."
        assert bar(page)["position"] == -1  # no value yet: indeterminate
        job = ImportJob.objects.get()
        assert job.state == JobState.QUEUED

        # The worker takes the job and tells how far it got.
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, total=30)
        progress.publish(job.pk, 12, 30)
        page.wait_for_function(
            "() => document.getElementById('import-bar').value === 12"
        )
        assert bar(page)["max"] == 30
        assert status.inner_text() == "12 of 30 items (40%)"
        assert page.locator("#import-state").inner_text() == "Running"

        # ...and finishes it.
        sources = [
            formats.Source(kind, name, bytes(data))
            for kind, name, data in ImportFile.objects.filter(job=job)
            .order_by("pk")
            .values_list("kind", "name", "data")
        ]
        jobs.execute(ImportJob.objects.select_related("journal").get(), sources)
        ImportFile.objects.filter(job=job).delete()

        report = page.locator("#import-report")
        report.wait_for()
        assert bar(page)["value"] == bar(page)["max"] == 30
        assert page.get_by_role("status").inner_text() == "Done: 30 items."
        text = report.inner_text()
        assert "Comments: Held for moderation" in text
        assert "Comment 125 was deleted on the old site and has no replies." in text
        assert "Entry 3 is not public on the old site" in text
        assert Comment.objects.filter(journal=journal).count() == 20
        page.screenshot(path=artifacts_dir / "importer-report.png", full_page=True)
    finally:
        context.close()
    assert blocked == []
