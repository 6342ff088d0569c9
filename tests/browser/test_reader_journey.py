"""A reader in a real browser: log in, reply in the demo thread, see it in place."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Comment, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_post(transactional_db) -> Post:
    call_command("seed_demo", stdout=StringIO())
    return Post.objects.get(title__startswith="Harbour lights")


def test_reader_logs_in_replies_to_a_comment_and_sees_the_reply_one_level_deeper(
    browser_page, demo_post, artifacts_dir
):
    page = browser_page
    target = demo_post.comments.get(body_source__startswith="Bring them early")
    assert target.depth == 2

    page.goto(f"/accounts/login/?next={demo_post.get_absolute_url()}")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("reader-demo-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(demo_post.get_absolute_url()) + r"$"))

    # The comment's own Reply (its replies, nested inside its item, have theirs).
    page.locator(f"#t{target.pk} > .comment-actions").get_by_role(
        "link", name="Reply to Riley Reader's comment"
    ).click()
    page.get_by_role("heading", name="Reply to Riley Reader").wait_for()
    page.get_by_role("textbox", name="Comment").fill("Seen from a real browser.")
    page.get_by_role("button", name="Post comment").click()

    page.get_by_text("Your comment was posted.").wait_for()
    reply = Comment.objects.get(body_source="Seen from a real browser.")
    assert reply.parent_id == target.pk
    assert page.locator(f"#t{reply.pk}").get_attribute("data-depth") == "3"

    # The thread view shows what it answers, with a way up.
    context = page.locator(".thread-context")
    assert "Bring them early" in context.inner_text()
    assert context.get_by_role("link", name="Parent").is_visible()

    # On the full page the reply sits inside its parent's sub-thread, indented.
    page.goto(demo_post.get_absolute_url())
    items = page.locator(".comment-list li.comment")
    ids = items.evaluate_all("nodes => nodes.map(n => n.id)")
    position = ids.index(f"t{reply.pk}")
    parent_position = ids.index(f"t{target.pk}")
    assert parent_position < position
    between = ids[parent_position + 1 : position]
    depths = [
        int(page.locator(f"#{node}").get_attribute("data-depth")) for node in between
    ]
    assert all(depth > target.depth for depth in depths)
    reply_box = page.locator(f"#t{reply.pk}").bounding_box()
    parent_box = page.locator(f"#t{target.pk}").bounding_box()
    assert reply_box["x"] > parent_box["x"]
    # Nested inside its parent's item, so a screen reader knows whom it answers.
    assert page.locator(f"#t{target.pk} #t{reply.pk}").count() == 1
    page.locator(f"#t{reply.pk}").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "post-page-reply.png")


def test_anonymous_visitor_sees_why_they_cannot_comment(
    browser_page, demo_post, artifacts_dir
):
    page = browser_page

    page.goto(demo_post.get_absolute_url())

    form_area = page.locator("#add-comment")
    assert "Anonymous comments are disabled in this journal" in form_area.inner_text()
    assert form_area.locator("textarea").count() == 0
    assert form_area.get_by_role("link", name="Log in").is_visible()
    page.screenshot(path=artifacts_dir / "post-page-anonymous.png", full_page=True)
