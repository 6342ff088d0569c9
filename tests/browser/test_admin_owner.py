"""The journal owner's admin in Chromium: axe-core finds nothing on the settings
page, the comment list or the audit log, and the lists fit a 1280 px screen."""

from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Comment, CommentState, Journal
from moderation import services as moderation
from moderation.models import AuditEntry
from tests.browser.axe import describe, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "owner-demo-2026"

# How far the page, and the list's own scrolling box, reach past what is shown.
OVERFLOW = """() => {
    const results = document.querySelector("#changelist-form .results");
    return {
        page: Math.max(0, document.documentElement.scrollWidth - window.innerWidth),
        list: results ? Math.max(0, results.scrollWidth - results.clientWidth) : 0,
    };
}"""


@pytest.fixture
def journal(transactional_db) -> Journal:
    """The demo, with the owner's decisions on its held comments in the log."""
    call_command("seed_demo", stdout=StringIO())
    journal = Journal.objects.get(name="dailydigest")
    held = Comment.objects.filter(journal=journal, state=CommentState.HELD)
    for comment, decision in zip(held, ("approve", "reject"), strict=False):
        moderation.decide(
            moderator=journal.owner,
            items=[moderation.Seen(comment.pk, comment.state, comment.revision)],
            decision=decision,
            reason="personal_attack",
        )
    return journal


def logged_in(chromium, live_server, *, bypass_csp: bool):
    context = chromium.new_context(
        base_url=live_server.url,
        bypass_csp=bypass_csp,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The login page's own address ends in "/" too: wait until we left it.
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


@pytest.fixture
def owner_page(chromium, live_server, journal):
    # The strict content security policy forbids inline scripts, so the test's
    # own injected axe script needs the policy bypassed in this context.
    context, page = logged_in(chromium, live_server, bypass_csp=True)
    yield page
    context.close()


def test_axe_finds_nothing_on_the_owners_journal_settings_page(
    owner_page, journal, artifacts_dir
):
    owner_page.goto(f"/admin/journal/journal/{journal.pk}/change/")

    found = violations(owner_page)
    overflow = owner_page.evaluate(OVERFLOW)

    owner_page.screenshot(path=artifacts_dir / "admin-settings.png", full_page=True)
    assert found == [], describe(found)
    assert overflow["page"] == 0, "the settings page scrolls sideways at 1280 px"
    queue = owner_page.get_by_role("link", name="Moderation queue (0 held)")
    assert queue.get_attribute("href") == "/moderation/?journal=dailydigest"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/journal/comment/",
        "/admin/moderation/auditentry/",
        "/admin/journal/journal/",
    ],
)
def test_the_owners_lists_pass_axe_and_fit_1280_px(owner_page, journal, url):
    owner_page.goto(url)

    found = violations(owner_page)
    overflow = owner_page.evaluate(OVERFLOW)

    assert found == [], describe(found)
    # The list scrolls in a box of its own: columns past its edge were cut off.
    assert overflow == {"page": 0, "list": 0}, f"{url} is cut off at 1280 px"


def test_the_owner_adds_a_word_by_its_row_labels_and_reads_the_change(
    owner_page, journal
):
    page = owner_page
    page.goto(f"/admin/journal/journal/{journal.pk}/change/")

    # The seeded lists hold three words; the fourth row is the blank one.
    page.get_by_label("Word or phrase, row 4").fill("lottery")
    page.get_by_label("Action, row 4").select_option("hold")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_text("was changed successfully").wait_for()

    versions = page.locator("#rule_set_versions-group")
    assert "Word lists: added: lottery (held)" in versions.inner_text()
    page.get_by_role("button", name="Add another Word list entry").click()
    added = page.get_by_label("Word or phrase, new row").filter(visible=True)
    assert added.count() == 1


def test_the_owners_admin_pages_keep_the_content_security_policy(
    chromium, live_server, journal
):

    context, page = logged_in(chromium, live_server, bypass_csp=False)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append((page.url, message.text))
            if "Content Security Policy" in message.text
            else None
        ),
    )
    entry = AuditEntry.objects.filter(action="settings.change").first()
    try:
        for url in (
            f"/admin/journal/journal/{journal.pk}/change/",
            "/admin/journal/journal/",
            "/admin/journal/comment/",
            "/admin/moderation/auditentry/",
            f"/admin/moderation/auditentry/{entry.pk}/change/",
        ):
            assert page.goto(url, wait_until="load").status == 200, url
        page.wait_for_timeout(200)
    finally:
        context.close()

    assert blocked == []
