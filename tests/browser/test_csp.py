"""Our own pages run under the strict content security policy without a
single violation (no inline script or style anywhere, the admin included)."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.api.test_schema import EXPECTED_OPERATIONS
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages() -> list[str]:
    from journal.models import Journal, Post

    post = Post.objects.get(title__startswith="Harbour lights")
    journal = Journal.objects.get(name="dailydigest")
    return [
        "/",
        "/dailydigest/",
        post.get_absolute_url(),
        "/moderation/",
        "/moderation/?tab=decided",
        "/accounts/me/",
        "/admin/",
        f"/admin/journal/journal/{journal.pk}/change/",
        "/admin/journal/comment/",
        "/admin/journal/post/add/",
    ]


def test_no_page_violates_the_content_security_policy(
    chromium, live_server, transactional_db
):
    call_command("seed_demo", stdout=StringIO())
    from accounts.models import User

    owner = User.objects.get(username="owner")
    owner.set_password(PASSWORD)
    owner.save()
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append((page.url, message.text))
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(live_server.url + "/")
        for url in pages():
            response = page.goto(url, wait_until="load")
            assert response.status == 200, url
        page.wait_for_timeout(200)
        assert violations == []

        # Swagger UI's own script sets a few style attributes; the policy blocks
        # them (no scripts are blocked) and the docs still show every operation.
        page.goto("/api/docs/", wait_until="load")
        page.locator(".opblock").first.wait_for()
        operations = page.locator(".opblock").count()
    finally:
        context.close()

    docs = [text for url, text in violations if url.endswith("/api/docs/")]
    assert all("Applying inline style" in text for text in docs)
    # Every operation of the schema is shown (tests/api/test_schema.py lists them).
    assert operations == len(EXPECTED_OPERATIONS)
