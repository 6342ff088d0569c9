"""The moderators' queue in Chromium: acting in place with the keyboard alone,
live counts and claims while the page stays open, plain buttons without
JavaScript, and a phone-wide screen."""

import re

import pytest

from journal.models import Comment, CommentState
from moderation.models import AuditEntry
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
    moderator = UserFactory(username="keyboard_mod", display_name="Kim Keys")
    journal = JournalFactory(name="keys")
    journal.moderators.add(moderator)
    post = PostFactory(journal=journal)
    author = UserFactory(username="queue_author", display_name="Quinn Author")
    held = [
        hold(CommentFactory(post=post, author=author, body_source=f"held number {n}"))
        for n in range(4)
    ]
    return moderator, held


def log_in(page, username):
    page.goto("/accounts/login/?next=/moderation/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/moderation/")


def states(held) -> list[str]:
    return [Comment.objects.get(pk=c.pk).state for c in held]


def active(page) -> str:
    """What holds the focus: the element's id, else its queue item's id and
    its own text."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const item = el.closest('.queue-item');
          const where = item ? item.id : '';
          return (el.id || '') + '|' + where + '|' + el.textContent.trim();
        }"""
    )


def tab_to(page, predicate, limit=80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate(active(page)):
            return
    raise AssertionError(f"Tab never reached the element; focus is on {active(page)}")


def wait_for_focus(page, item_id: str) -> None:
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.closest('.queue-item')"
        " && document.activeElement.closest('.queue-item').id === id",
        arg=item_id,
    )


def test_keyboard_alone_approves_rejects_and_undoes_the_intended_comments(
    browser_page, queue_setup, artifacts_dir
):
    moderator, held = queue_setup
    page = browser_page
    log_in(page, moderator.username)
    first, second, third, fourth = (f"q{c.pk}" for c in held)
    # Nothing is focused on arrival: focus moves only after an action.
    assert active(page).split("|")[1] == ""
    page.screenshot(path=artifacts_dir / "moderation-queue.png", full_page=True)

    # j twice: the second item. a approves it in place; focus moves on.
    page.keyboard.press("j")
    page.keyboard.press("j")
    wait_for_focus(page, second)
    page.keyboard.press("a")
    page.locator(f"#{second} .decided-line").get_by_text("approved").wait_for()
    wait_for_focus(page, third)
    assert page.url.endswith("/moderation/")  # no reload

    # The shortcut acts on the item holding the focus, not on an outlined one:
    # Tab to the fourth item's Spam button and press s there.
    tab_to(page, lambda where: where.split("|")[1] == fourth and "Spam" in where)
    page.keyboard.press("s")
    page.locator(f"#{fourth} .decided-line").wait_for()

    # Focus stayed on the last item's line; k goes to the open item above it.
    # Typing in a field never fires a shortcut.
    page.keyboard.press("k")
    wait_for_focus(page, third)
    page.keyboard.press("r")  # opens the Reject panel on the reason
    assert page.evaluate("document.activeElement.name") == f"reason-{held[2].pk}"
    page.keyboard.press("ArrowDown")  # the first reason: Spam
    page.keyboard.press("ArrowDown")  # Offensive
    page.keyboard.press("Tab")
    page.keyboard.type("a rude one")  # the "a" is typed, not an approval
    assert states(held)[2] == CommentState.HELD
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(f"#{third} .decided-line").get_by_text("rejected").wait_for()

    # Undo the approval from its collapsed line, with Tab and Enter.
    tab_to(page, lambda where: where.split("|")[1] == second and "Undo" in where)
    page.keyboard.press("Enter")
    page.locator(f"#{second} .item-actions").wait_for()  # back as a full item
    page.screenshot(
        path=artifacts_dir / "moderation-queue-in-place.png", full_page=True
    )

    assert states(held) == [
        CommentState.HELD,
        CommentState.HELD,
        CommentState.REJECTED,
        CommentState.SPAM,
    ]
    rejection = AuditEntry.objects.get(action="comment.reject")
    assert (rejection.reason, rejection.note) == ("offensive", "a rude one")
    assert AuditEntry.objects.filter(action="undo").count() == 1


def test_shortcuts_can_be_turned_off_and_help_is_announced(browser_page, queue_setup):
    moderator, held = queue_setup
    page = browser_page
    log_in(page, moderator.username)

    page.keyboard.press("?")
    assert page.locator("#keyboard-help").is_visible()
    assert page.evaluate("document.activeElement.id") == "keyboard-help-title"
    page.keyboard.press("Escape")
    assert not page.locator("#keyboard-help").is_visible()

    page.get_by_label("Single-key shortcuts").uncheck()
    page.keyboard.press("j")
    page.locator(f"#q{held[0].pk}").focus()
    page.keyboard.press("a")
    page.wait_for_timeout(300)
    assert states(held)[0] == CommentState.HELD
    # The choice is remembered on the next visit.
    page.reload()
    assert not page.get_by_label("Single-key shortcuts").is_checked()


def test_the_count_and_new_arrivals_appear_while_the_page_stays_open(
    browser_page, queue_setup, settings
):
    settings.MODERATION_QUEUE_POLL_SECONDS = 1
    moderator, held = queue_setup
    page = browser_page
    log_in(page, moderator.username)
    page.evaluate("window.stillTheSamePage = true")
    assert page.locator('[data-count="held"]').inner_text() == "4"

    post = held[0].post
    hold(CommentFactory(post=post, body_source="arrived later"))
    hold(CommentFactory(post=post, body_source="arrived later too"))

    page.get_by_role("link", name="2 new — show").wait_for(timeout=10_000)
    page.wait_for_function(
        "document.querySelector('[data-count=held]').textContent === '6'"
    )
    assert page.locator("#queue-badge").inner_text() == "6"
    # The list under the cursor did not move: the new ones wait behind the bar.
    assert page.locator(".queue-item").count() == 4
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_role("link", name="2 new — show").click()
    page.get_by_text("arrived later too", exact=True).wait_for()
    assert page.locator(".queue-item").count() == 2


def test_two_moderators_see_each_others_claim(
    chromium, live_server, queue_setup, settings
):
    settings.MODERATION_QUEUE_POLL_SECONDS = 1
    moderator, held = queue_setup
    colleague = UserFactory(username="second_mod", display_name="Dan Colleague")
    held[0].journal.moderators.add(colleague)
    contexts = [chromium.new_context(base_url=live_server.url) for _ in range(2)]
    try:
        kim, dan = (context.new_page() for context in contexts)
        log_in(kim, moderator.username)
        log_in(dan, colleague.username)

        dan.locator(f"#q{held[1].pk}").focus()
        kim_sees = kim.locator(f"#q{held[1].pk} .claim")
        kim_sees.get_by_text("Dan Colleague is looking at this").wait_for(
            timeout=10_000
        )
        kim.locator(f"#q{held[2].pk}").focus()
        dan.locator(f"#q{held[2].pk} .claim").get_by_text(
            "Kim Keys is looking at this"
        ).wait_for(timeout=10_000)
        # Nobody is told they are looking at their own claim.
        assert not dan.locator(f"#q{held[1].pk} .claim").is_visible()

        # A claim never blocks: Kim approves what Dan is looking at.
        kim.locator(f"#q{held[1].pk}").get_by_role(
            "button", name=re.compile("^Approve")
        ).click()
        kim.locator(f"#q{held[1].pk} .decided-line").wait_for()
        assert states(held)[1] == CommentState.PUBLISHED
    finally:
        for context in contexts:
            context.close()


def test_without_javascript_the_buttons_work_and_the_page_keeps_your_place(
    chromium, live_server, queue_setup
):
    moderator, held = queue_setup
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, moderator.username)
        page.locator(f"#q{held[1].pk}").get_by_role(
            "button", name=re.compile("^Approve")
        ).click()
        page.get_by_text("1 comment approved.").first.wait_for()
        assert page.url.endswith(f"#q{held[2].pk}")

        page.locator(".last-action").get_by_role(
            "button", name=re.compile("^Undo")
        ).click()
        page.get_by_text("Undone.").wait_for()
        assert states(held)[1] == CommentState.HELD

        page.locator(f"#q{held[0].pk} input[name=selected]").check()
        page.locator(f"#q{held[2].pk} input[name=selected]").check()
        page.get_by_role("button", name="Spam selected").click()
        page.get_by_text("2 comments marked as spam.").first.wait_for()

        page.locator(f"#q{held[3].pk} summary").first.click()  # Reject…
        page.locator(f"select[name=reason-{held[3].pk}]").select_option("off_topic")
        page.locator(f"#q{held[3].pk}").get_by_role(
            "button", name=re.compile("^Reject")
        ).click()
        page.get_by_text("1 comment rejected.").first.wait_for()
    finally:
        context.close()

    assert states(held) == [
        CommentState.SPAM,
        CommentState.HELD,
        CommentState.SPAM,
        CommentState.REJECTED,
    ]


def test_the_queue_fits_a_phone(chromium, live_server, queue_setup, artifacts_dir):
    moderator, _held = queue_setup
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 800}
    )
    page = context.new_page()
    try:
        log_in(page, moderator.username)
        page.screenshot(path=artifacts_dir / "queue-narrow.png", full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
    finally:
        context.close()
    assert overflow <= 0
