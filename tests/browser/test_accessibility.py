"""axe-core reports no violation, of any impact, on the pages people use:
reading, commenting (also with an error), the queue's tabs, logging in and
signing up, the account page and the owner's settings in the admin."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Journal, Post
from tests.browser.axe import describe, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORDS = {
    "owner": "owner-demo-2026",
    "moderator": "moderator-demo-2026",
    "reader": "reader-demo-2026",
}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=StringIO())
    return Post.objects.get(title__startswith="Harbour lights")


def new_page(chromium, live_server):
    # The strict content security policy forbids inline scripts, so the test's
    # own injected axe script needs the policy bypassed in this context.
    context = chromium.new_context(
        base_url=live_server.url,
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    return context, context.new_page()


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def check(page, summary: dict, name: str) -> None:
    found = violations(page)
    summary[name] = found
    assert found == [], f"{name}: {describe(found)}"


def test_axe_finds_nothing_on_any_page(chromium, live_server, demo, artifacts_dir):
    post = demo
    journal = Journal.objects.get(name="dailydigest")
    summary: dict[str, list] = {}
    context, page = new_page(chromium, live_server)
    try:
        for name, url in [
            ("home", "/"),
            ("journal", "/dailydigest/"),
            ("post (anonymous)", post.get_absolute_url()),
            ("login", "/accounts/login/"),
            ("sign-up", "/accounts/signup/"),
        ]:
            page.goto(url)
            check(page, summary, name)

        log_in(page, "reader")
        page.goto(post.get_absolute_url())
        check(page, summary, "post (reader)")
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_load_state()
        check(page, summary, "form with an error")
        page.goto("/accounts/me/")
        check(page, summary, "account")
        context.close()

        context, page = new_page(chromium, live_server)
        log_in(page, "moderator")
        page.goto(post.get_absolute_url())
        check(page, summary, "post (moderator)")
        for tab in ("held", "reported", "decided"):
            page.goto(f"/moderation/?tab={tab}")
            check(page, summary, f"queue ({tab})")
        context.close()

        context, page = new_page(chromium, live_server)
        log_in(page, "owner")
        page.goto(f"/admin/journal/journal/{journal.pk}/change/")
        check(page, summary, "admin journal settings")
    finally:
        context.close()
        (artifacts_dir / "axe-summary.json").write_text(json.dumps(summary, indent=2))
