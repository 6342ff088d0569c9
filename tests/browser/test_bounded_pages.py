"""Bounded pages in Chromium (issue 16): "more replies — expand" loads the next
slice of a giant thread in place, without leaving the page."""

import pytest

from journal.conf import option
from tests.factories import PostFactory
from tests.journal.test_bounded_pages import store_shape

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = option("COMMENTS_PER_PAGE")


def test_expanding_more_replies_inserts_them_in_place_without_a_reload(
    browser_page, artifacts_dir
):
    post = PostFactory()
    # One top-level comment with 120 replies, and a later thread.
    comments = store_shape(post, [None] + [0] * 120 + [None])
    root, replies = comments[0], comments[1:121]
    page = browser_page
    page.goto(post.get_absolute_url())
    # A mark on this document: a reload or a navigation would lose it.
    page.evaluate("window.__same_document = true")
    replies_list = page.locator(f"#t{root.pk} > ol.comment-replies")
    expand = replies_list.get_by_role("link", name="more replies")
    assert replies_list.locator(":scope > li.comment").count() == PAGE - 1

    expand.click()

    page.locator(f"#t{replies[PAGE - 1].pk}").wait_for()
    shown = replies_list.locator(":scope > li.comment")
    assert shown.count() == 2 * PAGE - 2
    ids = shown.evaluate_all("items => items.map(item => item.id)")
    assert ids == [f"t{reply.pk}" for reply in replies[: 2 * PAGE - 2]]
    assert page.evaluate("window.__same_document") is True
    assert page.url.endswith(post.get_absolute_url())
    # The first comment loaded has the focus; the next slice has its own link.
    assert page.evaluate("document.activeElement.id") == f"t{replies[PAGE - 1].pk}"
    assert expand.count() == 1
    assert expand.inner_text().startswith(f"{120 - 2 * (PAGE - 1)} more replies")
    page.screenshot(path=artifacts_dir / "bounded-page-expanded.png")

    expand.click()
    page.locator(f"#t{replies[-1].pk}").wait_for()
    assert shown.count() == 120 and expand.count() == 0
    # The later thread comes in place too, at the top level.
    page.get_by_role("link", name="More threads").click()
    page.locator(f"#t{comments[-1].pk}").wait_for()
    assert page.locator("#comments > ol.comment-list > li.comment").count() == 2
    assert page.evaluate("window.__same_document") is True
