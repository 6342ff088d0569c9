"""Feeds of a journal's posts, a tag's posts and a post's published comments,
read as a feed reader reads them (feedparser), in RSS 2.0 and Atom 1.0."""

import html
import re

import feedparser
import pytest
from django.test import Client

from journal import services as journal_services
from journal.models import Tag
from tests.factories import CommentFactory, PostFactory
from tests.two_journals import hold

FORMATS = {"rss": "rss20", "atom": "atom10"}


def read_feed(url: str):
    response = Client().get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    # bozo: feedparser found the feed malformed (not well-formed XML, or not
    # the format it says it is).
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_journal_feed_lists_its_posts_newest_first_with_clean_html(journal, kind):
    older = PostFactory(journal=journal, title="Older news")
    newer = PostFactory(
        journal=journal,
        title="Ferry timetable",
        body_source=(
            '<p>New times</p><script>alert(1)</script><a href="javascript:x">x</a>'
        ),
    )
    journal_services.save_post(post=newer)
    PostFactory(title="Another journal's post")

    response, feed = read_feed(f"/{journal.name}/{kind}/")

    assert feed.version == FORMATS[kind]
    assert response["Content-Type"].startswith(
        "application/rss+xml" if kind == "rss" else "application/atom+xml"
    )
    assert feed.feed.title == journal.title
    assert [entry.title for entry in feed.entries] == ["Ferry timetable", "Older news"]
    first = feed.entries[0]
    assert first.link.endswith(newer.get_absolute_url())
    html = first.summary
    assert "New times" in html
    assert "<script" not in html and "javascript:" not in html
    assert older.get_absolute_url() in feed.entries[1].link


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_tag_feed_lists_only_that_tags_posts(journal, kind):
    tag = Tag.objects.create(journal=journal, name="harbour", slug="harbour")
    tagged = PostFactory(journal=journal, title="Tagged")
    tagged.tags.add(tag)
    PostFactory(journal=journal, title="Untagged")

    _, feed = read_feed(f"/{journal.name}/tag/{tag.slug}/{kind}/")

    assert [entry.title for entry in feed.entries] == ["Tagged"]
    assert [t.term for t in feed.entries[0].tags] == ["harbour"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_comments_feed_shows_published_comments_only(post, reader, kind):
    journal_services.submit_comment(post=post, author=reader, body="Seen it, thanks")
    hold(CommentFactory(post=post, body_source="waiting for a moderator"))

    _, feed = read_feed(f"/{post.journal.name}/{post.pk}/comments/{kind}/")

    texts = [entry.summary for entry in feed.entries]
    assert len(texts) == 1 and "Seen it, thanks" in texts[0]
    assert feed.entries[0].author == reader.public_name


def test_missing_journals_tags_and_posts_have_no_feed(journal, post):
    for url in (
        "/nobody/rss/",
        f"/{journal.name}/tag/nothing/atom/",
        f"/{journal.name}/999999/comments/rss/",
        f"/{post.journal.name}x/{post.pk}/comments/rss/",
    ):
        assert Client().get(url).status_code == 404, url


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_reader_gets_a_fresh_feed_after_a_change(journal, settings):
    """Feeds come from the page cache like the pages, and never stale."""
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}
    post = PostFactory(journal=journal, title="First title")
    url = f"/{journal.name}/atom/"
    Client().get(url)
    assert Client().get(url).get("X-Page-Cache") == "hit"

    post.title = "Second title"
    journal_services.save_post(post=post)

    _, feed = read_feed(url)
    assert feed.entries[0].title == "Second title"


def test_pages_name_their_feeds_for_feed_readers(journal):
    """Autodiscovery: a feed reader given a page finds its feeds."""
    tag = Tag.objects.create(journal=journal, name="harbour", slug="harbour")
    post = PostFactory(journal=journal)
    pages = {
        journal.get_absolute_url(): [f"/{journal.name}/rss/", f"/{journal.name}/atom/"],
        tag.get_absolute_url(): [
            f"/{journal.name}/tag/harbour/rss/",
            f"/{journal.name}/tag/harbour/atom/",
            f"/{journal.name}/atom/",
        ],
        post.get_absolute_url(): [
            f"/{journal.name}/atom/",
            f"/{journal.name}/{post.pk}/comments/atom/",
            f"/{journal.name}/{post.pk}/comments/rss/",
        ],
    }
    for url, feeds in pages.items():
        html = Client().get(url).content.decode()
        named = re.findall(
            r'<link rel="alternate" type="application/(?:rss|atom)\+xml" '
            r'title="[^"]+" href="([^"]+)">',
            html,
        )
        assert named == feeds, url
        for feed in named:
            read_feed(feed)


def test_a_title_with_markup_reads_as_text_in_a_feed_reader(journal):
    """Readers that show titles as HTML get the title as written, not markup."""
    PostFactory(journal=journal, title="<b>Bold</b> & <img src=x onerror=alert(1)>")

    _, feed = read_feed(f"/{journal.name}/rss/")

    # feedparser hands the title over as HTML: shown, it reads as written.
    title = feed.entries[0].title
    assert "<b>" not in title and "<img" not in title
    assert html.unescape(title) == "<b>Bold</b> & <img src=x onerror=alert(1)>"
