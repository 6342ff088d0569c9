"""The moderators' queue in Chromium: keyboard with JavaScript, buttons without."""

import pytest

from journal.models import Comment, CommentState
from tests.factories import (
    PASSWORD,
    CommentFactory,
    JournalFactory,
    PostFactory,
    UserFactory,
)
from tests.two_journals import hold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue_setup(transactional_db):
    moderator = UserFactory(username="keyboard_mod")
    journal = JournalFactory(name="keys")
    journal.moderators.add(moderator)
    post = PostFactory(journal=journal)
    held = [
        hold(CommentFactory(post=post, body_source=f"held number {n}"))
        for n in range(3)
    ]
    return moderator, held


def log_in(page, username):
    page.goto("/accounts/login/?next=/moderation/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/moderation/")


def test_keyboard_decides_items_in_the_queue(browser_page, queue_setup, artifacts_dir):
    moderator, held = queue_setup
    page = browser_page
    log_in(page, moderator.username)
    page.screenshot(path=artifacts_dir / "moderation-queue.png", full_page=True)

    # Each decision reloads the queue with the first remaining item in focus.
    page.keyboard.press("a")  # approves held number 0
    page.get_by_text("1 comment approved.").wait_for()
    page.keyboard.press("j")  # moves to held number 2
    page.keyboard.press("s")
    page.get_by_text("1 comment marked as spam.").wait_for()
    selected = page.locator(f"#q{held[1].pk} input[name=selected]")
    page.keyboard.press("x")
    assert selected.is_checked()
    page.keyboard.press("x")
    assert not selected.is_checked()
    page.keyboard.press("r")  # rejects held number 1, the one left
    page.get_by_text("1 comment rejected.").wait_for()
    page.keyboard.press("?")

    states = [Comment.objects.get(pk=c.pk).state for c in held]
    assert states == [CommentState.PUBLISHED, CommentState.REJECTED, CommentState.SPAM]
    assert page.locator("#keyboard-help").is_visible()


def test_without_javascript_the_buttons_still_work(chromium, live_server, queue_setup):
    moderator, held = queue_setup
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, moderator.username)
        page.locator(f"#q{held[1].pk}").get_by_role("button", name="Approve").click()
        page.get_by_text("1 comment approved.").wait_for()
        page.locator(f"#q{held[0].pk} input[name=selected]").check()
        page.locator(f"#q{held[2].pk} input[name=selected]").check()
        page.get_by_role("button", name="Spam selected").click()
        page.get_by_text("2 comments marked as spam.").wait_for()
    finally:
        context.close()

    states = [Comment.objects.get(pk=c.pk).state for c in held]
    assert states == [CommentState.SPAM, CommentState.PUBLISHED, CommentState.SPAM]
