"""Appeals in Chromium: the author appeals a rejection from the post page, with
no script needed, and a second moderator grants it in the queue's Appeals tab;
a banned author appeals above the comment form and the appeal is denied. The
pages pass axe."""

import re

import pytest

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import Appeal, AuditEntry, AuthorRestriction
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
    page.context.clear_cookies()
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + r"(#.*)?$"))


@pytest.fixture
def harbour(transactional_db):
    owner = UserFactory(username="appeal_owner", display_name="Olga Owner")
    moderator = UserFactory(username="appeal_mod", display_name="Mo Moderator")
    journal = JournalFactory(name="quay", title="Quay News", owner=owner)
    journal.moderators.add(moderator)
    post = PostFactory(journal=journal, title="Lights on the quay")
    author = UserFactory(username="appeal_author", display_name="Ada Author")
    return journal, post, owner, moderator, author


def test_the_author_appeals_a_rejection_and_a_second_moderator_grants_it(
    browser_page, harbour
):
    journal, post, owner, moderator, author = harbour
    comment = CommentFactory(post=post, author=author, body_source="The red lamp.")
    services.decide(
        moderator=moderator,
        items=[services.Seen(comment.pk, comment.state, comment.revision)],
        decision="reject",
        reason="off_topic",
        note="Not about the lights",
    )
    page = browser_page

    log_in(page, "appeal_author", post.get_absolute_url())
    item = page.locator(f"#t{comment.pk}")
    assert "A moderator rejected this comment" in item.inner_text()
    assert violations(page) == []
    item.get_by_text("Appeal this decision").first.click()
    item.get_by_label("Why should a moderator look again?").fill(
        "The red lamp is one of the quay lights."
    )
    item.get_by_role("button", name="Appeal this decision").click()

    page.get_by_text("Your appeal was sent.").wait_for()
    assert "You appealed on" in page.locator(f"#t{comment.pk}").inner_text()
    appeal = Appeal.objects.get()

    # The moderator who rejected it sees the appeal but may not answer it.
    log_in(page, "appeal_mod", "/moderation/?tab=appeals")
    mine = page.locator(f"#a{appeal.pk}")
    assert "You made this decision" in mine.inner_text()
    assert mine.get_by_role("button", name=re.compile("^Grant")).count() == 0

    log_in(page, "appeal_owner", "/moderation/?tab=appeals")
    theirs = page.locator(f"#a{appeal.pk}")
    text = theirs.inner_text()
    assert "The red lamp is one of the quay lights." in text
    assert "by appeal_mod" in text and "Not about the lights" in text
    assert violations(page) == []
    theirs.get_by_label("Your answer to the author").fill("Quite right: it is.")
    theirs.get_by_role("button", name=re.compile("^Grant")).click()

    page.get_by_text(f"Appeal #{appeal.pk} granted").wait_for()
    assert page.locator(f"#a{appeal.pk}").count() == 0
    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED
    assert AuditEntry.objects.filter(action="appeal.grant", actor=owner).exists()

    log_in(page, "appeal_author", post.get_absolute_url())
    shown = page.locator(f"#t{comment.pk}").inner_text()
    assert "Your appeal was granted: “Quite right: it is.”" in shown


def test_a_banned_author_appeals_above_the_form_and_it_is_denied(browser_page, harbour):
    journal, post, owner, moderator, author = harbour
    services.restrict_author(journal=journal, user=author, kind="ban", by=moderator)
    page = browser_page

    log_in(page, "appeal_author", post.get_absolute_url())
    section = page.locator("#add-comment")
    assert "You are banned from commenting in this journal" in section.inner_text()
    section.get_by_text("Appeal the ban").first.click()
    section.get_by_label("Why should a moderator look again?").fill("I was not rude.")
    section.get_by_role("button", name="Appeal the ban").click()
    page.get_by_text("Your appeal was sent.").wait_for()
    appeal = Appeal.objects.get()

    log_in(page, "appeal_owner", "/moderation/?tab=appeals")
    item = page.locator(f"#a{appeal.pk}")
    item.get_by_label("Your answer to the author").fill("The ban stands for now.")
    item.get_by_role("button", name=re.compile("^Deny")).click()
    page.get_by_text(f"Appeal #{appeal.pk} denied").wait_for()

    log_in(page, "appeal_author", post.get_absolute_url())
    section = page.locator("#add-comment")
    assert "Your appeal was denied: “The ban stands for now.”" in section.inner_text()
    assert section.locator("form.appeal-form").count() == 0
    assert AuthorRestriction.objects.active().filter(user=author).exists()
    assert Comment.objects.count() == 0
