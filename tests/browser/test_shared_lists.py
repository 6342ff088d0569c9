"""Shared lists in Chromium: an owner follows another journal's word list on
the journal's admin page, and a reader's comment with a listed word then waits
for a moderator; an account on a followed ban list reads why, instead of the
form."""

import re

import pytest

from journal.models import Comment, CommentState
from moderation import shared_lists
from moderation.models import Subscription
from tests.browser.axe import violations
from tests.factories import PASSWORD, JournalFactory, PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium, live_server):
    """A page that lets axe's script in (the site's CSP allows no inline one)."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
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
def lists(transactional_db):
    """Gardens publishes a word list and a ban list; Allotments follows
    neither yet."""
    keeper = UserFactory(username="keeper", is_staff=True)
    gardens = JournalFactory(name="gardens", owner=keeper)
    owner = UserFactory(username="allot_owner", is_staff=True)
    allotments = JournalFactory(name="allotments", owner=owner)
    post = PostFactory(journal=allotments, title="Seed swap")
    UserFactory(username="spammer", display_name="Sam Spam")
    words = shared_lists.publish(
        journal=gardens,
        by=keeper,
        kind="words",
        name="Garden spam",
        entries=[{"phrase": "casino", "kind": "hold"}],
    )
    bans = shared_lists.publish(
        journal=gardens,
        by=keeper,
        kind="bans",
        name="Spam rings",
        entries=[{"username": "spammer", "reason": "Casino links"}],
    )
    return allotments, post, words, bans


def test_the_owner_follows_a_list_in_the_admin_and_a_listed_word_is_held(
    browser_page, lists
):
    allotments, post, words, _bans = lists
    UserFactory(username="grower", display_name="Gita Grower")
    page = browser_page
    admin_page = f"/admin/journal/journal/{allotments.pk}/change/"

    log_in(page, "allot_owner", admin_page)
    group = page.locator("#subscriptions-group")
    assert "Shared lists this journal follows" in group.text_content()
    group.locator("select").first.select_option(
        label="Garden spam (word list from gardens)"
    )
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_text("was changed successfully").wait_for()

    assert Subscription.objects.get().shared_list == words
    versions = page.locator("#rule_set_versions-group")
    assert "following: Garden spam (v1)" in versions.inner_text()
    assert violations(page) == []

    page.context.clear_cookies()
    log_in(page, "grower", post.get_absolute_url())
    page.get_by_role("textbox", name="Comment").fill("The casino opened next door.")
    page.get_by_role("button", name="Post comment").click()

    page.get_by_text("Your comment is awaiting moderation").wait_for()
    assert "which a moderator reviews first" in page.content()
    assert Comment.objects.get().state == CommentState.HELD


def test_an_account_on_a_followed_ban_list_reads_why_instead_of_the_form(
    browser_page, lists
):
    allotments, post, _words, bans = lists
    shared_lists.subscribe(journal=allotments, shared_list=bans, by=allotments.owner)
    page = browser_page

    log_in(page, "spammer", post.get_absolute_url())

    page.get_by_text(
        "You are on the “Spam rings” ban list that this journal follows"
    ).wait_for()
    assert page.get_by_role("textbox", name="Comment").count() == 0
    assert "keeper" not in page.locator("#add-comment").inner_text()
    assert violations(page) == []
