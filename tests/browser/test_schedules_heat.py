"""Scheduled modes and heat in Chromium: a reader sees the open window above the
comment form and learns why their comment waits; a moderator sees a heated
sub-thread's banner in the queue and lifts it with its button."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from journal import services as journal_services
from journal.models import Comment, CommentState
from moderation import heat, schedules
from moderation.models import HeatScreening
from tests.browser.axe import violations
from tests.factories import (
    PASSWORD,
    CommentFactory,
    JournalFactory,
    PostFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium, live_server):
    """A page that lets axe's script in (the site's CSP allows no inline one)."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1100, "height": 900},
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def log_in(page, username, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + r"(#.*)?$"))


@pytest.fixture
def night_now(transactional_db):
    """A journal whose screening window is open now: from an hour ago to an
    hour from now, every day, by its own clock (UTC)."""
    owner = UserFactory(username="night_owner", is_staff=True)
    journal = JournalFactory(name="nightly", owner=owner)
    post = PostFactory(journal=journal, title="After dark")
    now = datetime.now(UTC)
    ends = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    schedules.add_window(
        journal=journal,
        by=owner,
        name="Night",
        mode="screen",
        days="0123456",
        starts_at=(now - timedelta(hours=1)).time().replace(microsecond=0),
        ends_at=ends.time(),
    )
    return post, ends.strftime("%H:%M")


def test_a_reader_sees_the_window_above_the_form_and_why_their_comment_waits(
    browser_page, night_now
):
    post, until = night_now
    UserFactory(username="night_reader", display_name="Nina Night")
    page = browser_page

    page.goto(post.get_absolute_url())
    notice = page.locator("#add-comment .comment-notice")
    assert notice.inner_text() == f"Comments are screened until {until}"
    # Above the form, inside the form's section.
    assert notice.evaluate(
        "el => !!(el.compareDocumentPosition(document.querySelector("
        "'#add-comment form')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert violations(page) == []

    log_in(page, "night_reader", post.get_absolute_url())
    page.get_by_role("textbox", name="Comment").fill("Still up, reading.")
    page.get_by_role("button", name="Post comment").click()

    page.get_by_text("Your comment is awaiting moderation").wait_for()
    assert f"Comments are screened until {until} (Night)" in page.content()
    assert Comment.objects.get().state == CommentState.HELD


@pytest.fixture
def heated(transactional_db):
    moderator = UserFactory(username="heat_mod", display_name="Hana Heat")
    journal = JournalFactory(name="heated", heat_replies=2, rate_limit_per_minute=0)
    journal.moderators.add(moderator)
    post = PostFactory(journal=journal, title="A hot topic")
    thread = CommentFactory(post=post, body_source="Opening shot")
    for n in range(2):
        journal_services.submit_comment(
            post=post,
            author=UserFactory(username=f"heat_writer{n}"),
            body=f"Reply {n}",
            parent_id=thread.pk,
        )
    screening = HeatScreening.objects.get()
    held = journal_services.submit_comment(
        post=post,
        author=UserFactory(username="heat_writer_late"),
        body="One reply too many",
        parent_id=thread.pk,
    )
    assert held.state == CommentState.HELD
    return moderator, screening


def test_a_moderator_lifts_a_heated_sub_thread_from_its_banner(browser_page, heated):
    moderator, screening = heated
    page = browser_page
    log_in(page, "heat_mod", "/moderation/")

    banner = page.locator(".queue-item .heat-banner")
    assert re.search(
        r"This thread is screened for heat until \d\d:\d\d: 2 replies in 10 minutes",
        banner.inner_text(),
    )
    assert violations(page) == []
    banner.get_by_role("button", name="Lift").click()

    page.get_by_text("Heat screening lifted").wait_for()
    assert page.locator(".heat-banner").count() == 0
    # The held reply waits for a decision still.
    assert page.get_by_text("One reply too many").is_visible()
    screening.refresh_from_db()
    assert screening.lifted_by == moderator
    assert not heat.active_for_threads([screening.thread_id])
