"""The journeys of issue 6, in Chromium against a live server with demo data."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Comment, CommentState, Journal, Post
from moderation.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORDS = {
    "owner": "owner-demo-2026",
    "moderator": "moderator-demo-2026",
    "gardener": "gardener-demo-2026",
    "reader": "reader-demo-2026",
}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=StringIO())
    return {
        "news": Post.objects.get(title__startswith="Harbour lights"),
        "garden": Post.objects.get(title__startswith="First frost"),
    }


def log_in(page, username, next_url="/"):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + r"(\?.*)?$"))


def depth_of(page, comment) -> int:
    return int(page.locator(f"#t{comment.pk}").get_attribute("data-depth"))


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_journey_1_sign_up_comment_reply_deep_and_edit(
    chromium, live_server, demo, javascript, artifacts_dir
):
    post = demo["news"]
    username = f"newreader_{'js' if javascript else 'nojs'}"
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=javascript
    )
    page = context.new_page()
    try:
        page.goto(f"/accounts/signup/?next={post.get_absolute_url()}")
        page.fill("#id_username", username)
        page.fill("#id_email", f"{username}@example.org")
        page.fill("#id_password1", "a-long-pass-phrase-2026")
        page.fill("#id_password2", "a-long-pass-phrase-2026")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(f"**{post.get_absolute_url()}")
        page.get_by_role("button", name="Log out").click()
        page.goto(f"/accounts/login/?next={post.get_absolute_url()}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("a-long-pass-phrase-2026")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**{post.get_absolute_url()}")

        page.get_by_role("textbox", name="Comment").fill(
            "My first word on the harbour."
        )
        page.get_by_role("button", name="Post comment").click()
        page.get_by_text("Your comment was posted.").wait_for()
        top = Comment.objects.get(body_source="My first word on the harbour.")
        assert depth_of(page, top) == 0

        deep_parent = post.comments.filter(state="published").order_by("path")
        deep_parent = next(c for c in deep_parent if c.depth == 3)
        page.goto(f"{post.get_absolute_url()}?replyto={deep_parent.pk}#add-comment")
        page.get_by_role("textbox", name="Comment").fill("Four levels down.")
        page.get_by_role("button", name="Post comment").click()
        page.get_by_text("Your comment was posted.").wait_for()
        reply = Comment.objects.get(body_source="Four levels down.")
        assert reply.parent_id == deep_parent.pk and depth_of(page, reply) == 4

        page.locator(f"#t{reply.pk}").get_by_role("link", name="Edit").click()
        page.get_by_role("textbox", name="Comment").fill("Four levels down, edited.")
        page.get_by_role("button", name="Save changes").click()
        page.get_by_text("Your comment was posted.").wait_for()
        assert "Four levels down, edited." in page.locator(f"#t{reply.pk}").inner_text()
        assert "(edited)" in page.locator(f"#t{reply.pk}").inner_text()

        page.goto(post.get_absolute_url())
        ids = page.locator(".comment-list li.comment").evaluate_all(
            "n => n.map(x => x.id)"
        )
        assert ids.index(f"t{deep_parent.pk}") < ids.index(f"t{reply.pk}")
        assert f"t{top.pk}" in ids
    finally:
        context.close()


def test_journey_2_anonymous_visitor_of_a_registered_only_journal(browser_page, demo):
    page = browser_page
    post = demo["news"]

    page.goto(post.get_absolute_url())
    form_area = page.locator("#add-comment")
    assert "Anonymous comments are disabled in this journal" in form_area.inner_text()
    assert form_area.locator("textarea").count() == 0

    # A page with a form (the login page) hands out the CSRF cookie a forger needs.
    page.goto("/accounts/login/")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    crafted = page.request.post(
        f"/{post.journal.name}/{post.pk}/comment/",
        form={"body": "crafted", "csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        max_redirects=0,
    )
    # Refused: sent back to the post page, which says why.
    assert crafted.status == 303
    page.goto(crafted.headers["location"])
    assert (
        "Anonymous comments are disabled in this journal"
        in page.locator("#add-comment").inner_text()
    )
    assert not Comment.objects.filter(body_source="crafted").exists()


def test_journey_3_anonymous_comment_with_three_links_is_held_and_explained(
    browser_page, demo
):
    page = browser_page
    post = demo["garden"]
    page.goto(post.get_absolute_url())
    page.get_by_label("Your name").fill("Link Lover")
    page.get_by_role("textbox", name="Comment").fill(
        "See https://a.example.org, https://b.example.org and https://c.example.org"
    )
    page.wait_for_timeout(3200)  # a person takes a few seconds; the form checks
    page.get_by_role("button", name="Post comment").click()

    page.get_by_text("Your comment is awaiting moderation").wait_for()
    comment = Comment.objects.get(author_name="Link Lover")
    assert comment.state == CommentState.HELD
    item = page.locator(f"#t{comment.pk}")
    assert "Awaiting moderation." in item.inner_text()
    assert "The comment has 3 links" in item.inner_text()


def test_journey_4_keyboard_decisions_and_a_second_moderator(
    chromium, live_server, demo, artifacts_dir
):
    held = list(Comment.objects.filter(state=CommentState.HELD).order_by("id"))
    assert len(held) >= 3
    first = chromium.new_context(base_url=live_server.url)
    second = chromium.new_context(base_url=live_server.url)
    try:
        page = first.new_page()
        other = second.new_page()
        log_in(page, "moderator", "/moderation/")
        log_in(other, "owner", "/moderation/")
        page.screenshot(path=artifacts_dir / "queue.png", full_page=True)

        def current_item():
            return page.locator(".queue-item.is-current").get_attribute("id")

        page.keyboard.press("j")
        page.keyboard.press("j")
        assert current_item() == f"q{held[1].pk}"
        page.keyboard.press("k")
        assert current_item() == f"q{held[0].pk}"
        # The owner's page still shows the first item as held when the moderator
        # decides it; the owner's own decision then comes too late.
        page.keyboard.press("a")
        page.locator(f"#q{held[0].pk} .decided-line").get_by_text("approved").wait_for()
        other.locator(f"#q{held[0].pk}").get_by_role(
            "button", name=re.compile("^Spam")
        ).first.click()
        other.get_by_text(
            f"Comment #{held[0].pk}: Already approved by moderator"
        ).wait_for()

        # Focus moved on to the next item: r opens its Reject panel.
        page.keyboard.press("r")
        page.keyboard.press("ArrowDown")  # the first reason
        page.keyboard.press("Tab")  # the note
        page.keyboard.press("Tab")  # Reject
        page.keyboard.press("Enter")
        page.locator(f"#q{held[1].pk} .decided-line").get_by_text("rejected").wait_for()
        page.keyboard.press("s")
        page.locator(f"#q{held[2].pk} .decided-line").get_by_text(
            "marked as spam"
        ).wait_for()

        states = [Comment.objects.get(pk=c.pk).state for c in held[:3]]
        assert states == ["published", "rejected", "spam"]
        reader = chromium.new_context(base_url=live_server.url).new_page()
        for comment, visible in zip(held[:3], (True, False, False), strict=True):
            reader.goto(comment.post.get_absolute_url())
            assert (reader.locator(f"#t{comment.pk}").count() == 1) is visible
        reader.context.close()
    finally:
        first.close()
        second.close()


def test_journey_5_owner_closes_a_journal_to_anonymous_comments_in_the_admin(
    chromium, live_server, demo, artifacts_dir
):
    post = demo["garden"]
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto(post.get_absolute_url())
        assert page.locator("#add-comment textarea").count() == 1
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", "gardener")
        page.fill("#id_password", PASSWORDS["gardener"])
        page.click("input[type=submit]")
        journal = Journal.objects.get(name="allotment")
        page.goto(f"/admin/journal/journal/{journal.pk}/change/")
        page.select_option("#id_comment_access", "registered")
        page.locator("#id_comment_access").scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / "admin-settings.png")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("was changed successfully").wait_for()
        page.goto("/admin/moderation/auditentry/")
        log = page.locator("#result_list").inner_text()
        page.get_by_role("link", name="Log out").count()
        context.clear_cookies()

        page.goto(post.get_absolute_url())
        page.screenshot(path=artifacts_dir / "post-page.png", full_page=True)
        assert (
            "Anonymous comments are disabled in this journal"
            in page.locator("#add-comment").inner_text()
        )
    finally:
        context.close()

    assert "settings.change" in log
    entry = AuditEntry.objects.filter(journal=journal, action="settings.change").latest(
        "id"
    )
    assert entry.data["changes"]["comment_access"] == ["anyone", "registered"]
    assert entry.actor_name == "gardener"
