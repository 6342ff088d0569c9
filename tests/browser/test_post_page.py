"""The post page in Chromium, on the 36-comment demo post (issue 15): a refused
comment in view and focused, frozen threads, replies in context, a deleted
thread undone, Reported, the preview, skip links, and a phone-sized screen."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from journal.models import Comment, CommentState, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORDS = {"reader": "reader-demo-2026", "moderator": "moderator-demo-2026"}


@pytest.fixture
def demo(transactional_db) -> Post:
    call_command("seed_demo", stdout=StringIO())
    return Post.objects.get(title__startswith="Harbour lights")


def comment(post, starts: str) -> Comment:
    return post.comments.get(body_source__startswith=starts)


def log_in(page, username, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + r"(#.*)?$"))


def own_actions(page, item: Comment):
    """The comment's own action links, not those of its replies nested below."""
    return page.locator(f"#t{item.pk} > .comment-actions")


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_refused_comment_lands_in_view_focused_and_survives_a_reload(
    browser_page, demo
):
    page = browser_page
    log_in(page, "reader", demo.get_absolute_url())
    typed = "Meet me at the casino after the lanterns."
    page.get_by_label("Subject").fill("Plans")
    page.get_by_role("textbox", name="Comment").fill(typed)
    page.get_by_role("button", name="Post comment").click()

    page.wait_for_url(re.compile(r"#error-summary$"))
    for _ in range(2):  # as it lands, and after a reload of the same address
        summary = page.locator("#error-summary")
        page.wait_for_function(
            "document.activeElement && document.activeElement.id === 'error-summary'"
        )
        assert page.title().startswith("Error: ")
        assert "“casino” is not allowed in this journal" in summary.inner_text()
        assert in_viewport(page, summary)
        # The form is far down the long post page, yet the reason is in view.
        assert page.evaluate("window.scrollY") > 2000
        assert page.get_by_role("textbox", name="Comment").input_value() == typed
        assert page.get_by_label("Subject").input_value() == "Plans"
        page.reload()
    assert not Comment.objects.filter(body_source=typed).exists()

    page.get_by_role("button", name="Discard").click()
    page.get_by_text("Your draft was discarded.").wait_for()
    assert page.get_by_role("textbox", name="Comment").input_value() == ""
    assert page.locator("#error-summary").count() == 0
    assert not page.title().startswith("Error")


def test_a_frozen_thread_is_marked_offers_no_reply_and_says_why(browser_page, demo):
    page = browser_page
    above = comment(demo, "Bring them early")
    frozen = comment(demo, "And stand on the steps")
    below = comment(demo, "The left side, facing the water")
    Comment.objects.filter(pk=frozen.pk).update(frozen=True)

    page.goto(demo.get_absolute_url())

    for item in (frozen, below):
        assert "Frozen" in page.locator(f"#t{item.pk} > .comment-head").inner_text()
        assert own_actions(page, item).get_by_role("link", name="Reply").count() == 0
    assert "Frozen" not in page.locator(f"#t{above.pk} > .comment-head").inner_text()
    assert own_actions(page, above).get_by_role("link", name="Reply").count() == 1

    page.goto(f"{demo.get_absolute_url()}?replyto={below.pk}#add-comment")
    form_area = page.locator(f"#t{below.pk} #add-comment")
    assert "This thread is frozen: no new replies." in form_area.inner_text()
    assert form_area.locator("textarea").count() == 0


def test_a_reply_is_written_under_its_comment_and_read_with_its_parent(
    browser_page, demo
):
    page = browser_page
    root = comment(demo, "I have missed this so much")
    parent = comment(demo, "Same here. My kids")
    first_reply = comment(demo, "Bring them early")
    log_in(page, "reader", demo.get_absolute_url())

    own_actions(page, parent).get_by_role(
        "link", name="Reply to Quay Walker's comment"
    ).click()
    page.get_by_role("heading", name="Reply to Quay Walker").wait_for()

    # The form is right under the comment answered, above its earlier replies.
    form_box = page.locator("#add-comment").bounding_box()
    body_box = page.locator(f"#t{parent.pk} > .comment-body").bounding_box()
    reply_box = page.locator(f"#t{first_reply.pk}").bounding_box()
    assert body_box["y"] + body_box["height"] <= form_box["y"]
    assert form_box["y"] + form_box["height"] <= reply_box["y"]
    assert page.locator(f"#t{parent.pk} #add-comment").count() == 1
    assert in_viewport(page, page.get_by_role("heading", name="Reply to Quay Walker"))

    page.get_by_role("textbox", name="Comment").fill("Mine were small once too.")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("Your comment was posted.").wait_for()

    reply = Comment.objects.get(body_source="Mine were small once too.")
    context = page.locator(".thread-context")
    assert "In reply to Quay Walker" in context.inner_text()
    # Landing on the reply, the way up is in view just above it.
    assert in_viewport(page, context.get_by_role("link", name="Parent"))
    assert "Same here. My kids have never seen it" in context.inner_text()
    assert page.locator(f"#t{reply.pk}").is_visible()
    context.get_by_role("link", name="Thread").click()
    page.wait_for_url(re.compile(rf"\?thread={root.pk}#t{root.pk}$"))
    assert page.locator(f"#t{root.pk} #t{reply.pk}").count() == 1


def test_a_moderator_deletes_a_thread_lands_on_the_post_and_undoes_it(
    browser_page, demo
):
    page = browser_page
    root = comment(demo, "Normal timetable means the last boat")
    members = [
        root.pk,
        *demo.comments.filter(path__startswith=root.path)
        .exclude(pk=root.pk)
        .values_list("pk", flat=True),
    ]
    log_in(page, "moderator", demo.get_absolute_url())

    page.locator(f"#t{root.pk} > .mod-actions").get_by_role(
        "link", name="Delete thread"
    ).click()
    page.get_by_role("button", name="Delete").click()

    page.wait_for_url(re.compile(re.escape(demo.get_absolute_url()) + "#comments$"))
    # Where the page lands, above the comments: what was done, and Undo.
    done = page.locator(".follow-up")
    done.get_by_text(
        f"Thread deleted: {len(members)} comments removed from view."
    ).wait_for()
    undo = done.get_by_role("button", name="Undo")
    assert in_viewport(page, done) and in_viewport(page, undo)
    removed = page.locator(f"#t{root.pk}")
    assert removed.get_attribute("data-state") == "removed"
    assert "Removed by a moderator." in removed.inner_text()
    assert set(
        Comment.objects.filter(pk__in=members).values_list("state", flat=True)
    ) == {CommentState.REMOVED}

    undo.click()
    page.get_by_text("Undone.").wait_for()
    assert page.locator(f"#t{root.pk}").get_attribute("data-state") == "published"
    assert set(
        Comment.objects.filter(pk__in=members).values_list("state", flat=True)
    ) == {CommentState.PUBLISHED}


def test_report_becomes_reported(browser_page, demo):
    page = browser_page
    target = comment(demo, "Is there an extra late boat")
    log_in(page, "reader", demo.get_absolute_url())

    own_actions(page, target).get_by_role(
        "link", name="Report Quay Walker's comment"
    ).click()
    page.get_by_label("Off-topic").check()
    page.get_by_role("button", name="Send report").click()
    page.get_by_text("Thank you. A moderator will look at it.").wait_for()

    actions = own_actions(page, target)
    assert "Reported" in actions.inner_text()
    assert actions.get_by_role("link", name="Report").count() == 0
    page.goto(demo.get_absolute_url())
    assert "Reported" in own_actions(page, target).inner_text()


def test_preview_shows_the_cleaned_comment_and_posts_nothing(browser_page, demo):
    page = browser_page
    log_in(page, "reader", demo.get_absolute_url())
    typed = "<b>bold</b><script>window.previewRan = true</script> words"
    before = Comment.objects.count()

    page.get_by_role("textbox", name="Comment").fill(typed)
    page.get_by_role("button", name="Preview").click()

    page.wait_for_url(re.compile(r"#preview$"))
    shown = page.locator("#preview .comment-body")
    assert shown.locator("b").inner_text() == "bold"
    assert shown.locator("script").count() == 0
    assert page.evaluate("window.previewRan === undefined")
    assert page.get_by_role("textbox", name="Comment").input_value() == typed
    assert Comment.objects.count() == before
    previewed = shown.inner_html()

    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("Your comment was posted.").wait_for()
    assert Comment.objects.get(body_source=typed).body_html == previewed


def test_skip_links_appear_when_focused_and_lead_to_the_comments_and_form(
    browser_page, demo
):
    page = browser_page
    page.goto(demo.get_absolute_url())
    skip = page.get_by_role("link", name="Skip to comments")
    assert not in_viewport(page, skip)  # hidden until focused

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to comments"
    assert in_viewport(page, skip)
    page.keyboard.press("Tab")
    assert in_viewport(page, page.get_by_role("link", name="Skip to the comment form"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#add-comment$"))
    assert in_viewport(page, page.locator("#add-comment h2"))


def test_a_phone_shows_the_deep_thread_without_sideways_scrolling(
    chromium, live_server, demo, artifacts_dir
):
    deepest = max(demo.comments.all(), key=lambda c: c.depth)
    assert deepest.depth >= 5
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto("/")
        byline = page.locator(".post-byline").first.inner_text()
        assert "Mira Okafor (dailydigest)" in byline

        log_in(page, "reader", demo.get_absolute_url())
        for url in (
            demo.get_absolute_url(),
            f"{demo.get_absolute_url()}?replyto={deepest.pk}#add-comment",
        ):
            page.goto(url)
            assert page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"
            ), url
        deep = page.locator(f"#t{deepest.pk}")
        box = deep.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.locator("#add-comment textarea").bounding_box()["width"] > 200
        page.goto(demo.get_absolute_url())
        page.locator(f"#t{deepest.pk}").scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / "post-narrow.png")
    finally:
        context.close()
