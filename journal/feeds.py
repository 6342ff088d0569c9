"""Feeds for feed readers: RSS 2.0 and Atom 1.0 of a journal's posts and of a
tag's, and of one post's published comments (``django.contrib.syndication``).

Posts carry their stored, sanitized HTML (``body_html``), as the pages show
it; comments only when published. Anonymous readers get them from the page
cache like the pages (``urls``), under the same versions, so a change shows
in the next read of a feed as it does on a page.
"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import Comment, CommentState, Journal, Post, Tag

POSTS_IN_FEED = 20
COMMENTS_IN_FEED = 50

# Characters XML 1.0 cannot hold: C0 controls but tab and line breaks, lone
# surrogates, U+FFFE and U+FFFF. A comment's subject (or a title, a tag, a
# name) may carry one; Django's feed writer refuses the C0 ones with a 500
# and writes the rest, which no feed reader then parses.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value):
    """``value`` (a text, or a list of them) without what XML cannot hold."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_text(item) for item in value)
    return value


class _XmlSafeFeed(Feed):
    """A feed whose every text is one XML can hold, whoever wrote it."""

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed = {name: _xml_text(value) for name, value in feed.feed.items()}
        feed.items = [
            {name: _xml_text(value) for name, value in item.items()}
            for item in feed.items
        ]
        return feed


class _PostsFeed(_XmlSafeFeed):
    """A journal's newest posts; ``TagPostsFeed`` narrows them to one tag."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, journal_name: str):
        return get_object_or_404(
            Journal.objects.select_related("owner"), name=journal_name
        )

    def title(self, journal: Journal) -> str:
        return journal.title

    def link(self, journal: Journal) -> str:
        return journal.get_absolute_url()

    def description(self, journal: Journal) -> str:
        return journal.description or _("Posts in %(title)s") % {"title": journal.title}

    def items(self, journal: Journal):
        return self.posts(journal)[:POSTS_IN_FEED]

    def posts(self, journal: Journal):
        return (
            journal.posts.select_related("journal__owner")
            .prefetch_related("tags")
            .order_by("-published_at", "-id")
        )

    # Titles are escaped as Django's own feeds escape them: many readers show
    # an item's title as HTML, and a title is plain text.
    def item_title(self, post: Post) -> str:
        return escape(post.title)

    def item_description(self, post: Post) -> str:
        # Cleaned when written (journal.sanitize); feed readers get that copy.
        return post.body_html

    def item_link(self, post: Post) -> str:
        return post.get_absolute_url()

    def item_pubdate(self, post: Post):
        return post.published_at

    def item_updateddate(self, post: Post):
        return max(post.updated_at, post.published_at)

    def item_author_name(self, post: Post) -> str:
        return post.journal.owner.public_name

    def item_categories(self, post: Post) -> list[str]:
        return [tag.name for tag in post.tags.all()]


class JournalPostsRss(_PostsFeed):
    pass


class JournalPostsAtom(_PostsFeed):
    feed_type = Atom1Feed
    subtitle = _PostsFeed.description


class _TagPostsFeed(_PostsFeed):
    def get_object(self, request, journal_name: str, tag_slug: str):
        return get_object_or_404(
            Tag.objects.select_related("journal__owner"),
            journal__name=journal_name,
            slug=tag_slug,
        )

    def title(self, tag: Tag) -> str:
        return _("%(journal)s: posts tagged %(tag)s") % {
            "journal": tag.journal.title,
            "tag": tag.name,
        }

    def link(self, tag: Tag) -> str:
        return tag.get_absolute_url()

    def description(self, tag: Tag) -> str:
        return self.title(tag)

    def posts(self, tag: Tag):
        return super().posts(tag.journal).filter(tags=tag)


class TagPostsRss(_TagPostsFeed):
    pass


class TagPostsAtom(_TagPostsFeed):
    feed_type = Atom1Feed
    subtitle = _TagPostsFeed.description


class _CommentsFeed(_XmlSafeFeed):
    """A post's newest published comments: never a held, rejected or removed
    one, whoever asks."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, journal_name: str, post_id: int):
        return get_object_or_404(
            Post.objects.select_related("journal"),
            pk=post_id,
            journal__name=journal_name,
        )

    def title(self, post: Post) -> str:
        return _("Comments on %(title)s") % {"title": post.title}

    def link(self, post: Post) -> str:
        return f"{post.get_absolute_url()}#comments"

    def description(self, post: Post) -> str:
        return self.title(post)

    def items(self, post: Post):
        return (
            Comment.objects.filter(post=post, state=CommentState.PUBLISHED)
            .select_related("author", "post__journal")
            .order_by("-created_at", "-id")[:COMMENTS_IN_FEED]
        )

    def item_title(self, comment: Comment) -> str:
        if comment.subject:
            return escape(comment.subject)
        return escape(_("Comment by %(author)s") % {"author": comment.author_label})

    def item_description(self, comment: Comment) -> str:
        return comment.body_html

    def item_link(self, comment: Comment) -> str:
        return comment.get_absolute_url()

    def item_pubdate(self, comment: Comment):
        return comment.created_at

    def item_author_name(self, comment: Comment) -> str:
        return comment.author_label


class CommentsRss(_CommentsFeed):
    pass


class CommentsAtom(_CommentsFeed):
    feed_type = Atom1Feed
    subtitle = _CommentsFeed.description
