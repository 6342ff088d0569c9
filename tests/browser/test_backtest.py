"""The owner tries a rule change in Chromium before making it: previews it on the
journal's last comments, reads the counts, saves it as a shadow rule set and
promotes it; and a long preview's page follows the task queue with its progress
bar (static/js/progress.js, under the content security policy)."""

import pytest

from moderation import backtest, proposals
from moderation.models import Backtest, RuleSetVersion, ShadowRuleSet, WordRule
from moderation.services import record_rule_set
from tests.browser.axe import describe, violations
from tests.factories import PASSWORD, JournalFactory, PostFactory, UserFactory
from tests.moderation.test_backtest import judged, registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A long backtest waits in the queue until the test plays the worker.
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def journal(transactional_db):
    """Four comments judged under the journal's rules: two links, "the ferry
    is late", three links (held, then approved) and "ferry spam" (rejected)."""
    owner = UserFactory(username="bt_owner", is_staff=True)
    journal = JournalFactory(name="harbour", title="Harbour News", owner=owner)
    version = record_rule_set(journal)
    post = PostFactory(journal=journal)
    judged(post, version, registered(link_count=2))
    judged(post, version, registered(), body="the ferry is late")
    judged(post, version, registered(link_count=3), approved_revision=1)
    judged(post, version, registered(), body="ferry spam", state="rejected")
    return journal


def logged_in(chromium, live_server, path: str, *, bypass_csp: bool = False):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        # Only to inject axe: the policy forbids the test's own script.
        bypass_csp=bypass_csp,
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
    page.goto(f"/accounts/login/?next={path}")
    page.get_by_label("Username").fill("bt_owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{path}")
    return context, page, blocked


def test_the_owner_previews_a_held_word_saves_it_as_shadow_and_promotes_it(
    chromium, live_server, journal, artifacts_dir
):
    path = f"/admin/journal/journal/{journal.pk}/change/"
    context, page, blocked = logged_in(chromium, live_server, path)
    try:
        page.get_by_label("Word or phrase, row 1").fill("ferry")
        page.get_by_label("Action, row 1").select_option("hold")
        page.get_by_label("Comments to replay").fill("100")
        page.get_by_role("button", name="Preview this change").click()

        result = page.locator("#backtest-result")
        result.wait_for()
        counts = page.locator("#backtest-counts")
        assert counts.locator("tr[data-kind=publish_to_hold] td").inner_text() == "2"
        assert counts.locator("tr[data-kind=hold_to_publish] td").inner_text() == "0"
        assert counts.locator("tr[data-kind=unchanged] td").inner_text() == "2"
        assert "this change would have held 1 (the rules then: 0)" in (
            page.locator("#backtest-rejected").inner_text()
        )
        assert "Word lists: added: ferry (held)" in result.inner_text()
        examples = result.locator(".backtest-samples[data-kind=publish_to_hold] li")
        assert examples.count() == 2
        assert "ferry spam" in examples.first.inner_text()
        page.screenshot(path=artifacts_dir / "backtest-preview.png", full_page=True)
        # Nothing saved; the form still holds the proposal.
        assert page.get_by_label("Word or phrase, row 1").input_value() == "ferry"
        assert not WordRule.objects.filter(journal=journal).exists()

        page.get_by_role("button", name="Save as shadow").click()
        page.wait_for_url("**/admin/moderation/shadowruleset/*/change/")
        shadow = ShadowRuleSet.objects.get()
        assert shadow.snapshot["words"] == [["ferry", "hold", False]]
        assert not WordRule.objects.filter(journal=journal).exists()

        page.get_by_role("button", name="Promote: make these the live rules").click()
        page.get_by_text("Promoted: these are now the journal's rules").wait_for()
        page.screenshot(path=artifacts_dir / "backtest-promoted.png", full_page=True)
        shadow.refresh_from_db()
        assert shadow.state == ShadowRuleSet.State.PROMOTED
        assert list(
            WordRule.objects.active()
            .filter(journal=journal)
            .values_list("phrase", "kind")
        ) == [("ferry", "hold")]
        assert RuleSetVersion.objects.filter(journal=journal).count() == 2
        assert blocked == []
    finally:
        context.close()


def test_a_long_preview_shows_its_progress_then_its_result(
    chromium, live_server, journal, settings, monkeypatch, artifacts_dir
):
    settings.TASKS = DUMMY
    monkeypatch.setattr(proposals, "DIRECT_MOST", 1)
    monkeypatch.setattr("moderation.admin.BACKTEST_POLL_MS", 300)
    path = f"/admin/journal/journal/{journal.pk}/change/"
    context, page, blocked = logged_in(chromium, live_server, path)
    try:
        page.get_by_role("button", name="Preview this change").click()
        page.wait_for_url("**/admin/moderation/backtest/*/change/")
        status = page.get_by_role("status")
        assert status.inner_text() == "Waiting for a worker to start the backtest."
        job = Backtest.objects.get()

        backtest.run(job.pk)  # the worker

        page.locator("#backtest-result").wait_for()
        assert page.get_by_role("status").inner_text() == "Done: 4 comments read."
        assert (
            page.locator("#backtest-counts tr[data-kind=unchanged] td").inner_text()
            == "4"
        )
        page.screenshot(path=artifacts_dir / "backtest-page.png", full_page=True)
        assert blocked == []
    finally:
        context.close()


def test_axe_finds_nothing_on_a_preview_or_a_backtests_page(
    chromium, live_server, journal, monkeypatch
):
    path = f"/admin/journal/journal/{journal.pk}/change/"
    context, page, _blocked = logged_in(chromium, live_server, path, bypass_csp=True)
    try:
        page.get_by_label("Word or phrase, row 1").fill("ferry")
        page.get_by_label("Action, row 1").select_option("hold")
        page.get_by_role("button", name="Preview this change").click()
        page.locator("#backtest-result").wait_for()
        found = violations(page)
        assert found == [], describe(found)

        job = Backtest.objects.create(
            journal=journal, proposal=proposals.snapshot_with(journal, changes={})
        )
        backtest.run(job.pk)
        page.goto(f"/admin/moderation/backtest/{job.pk}/change/")
        found = violations(page)
        assert found == [], describe(found)
    finally:
        context.close()
