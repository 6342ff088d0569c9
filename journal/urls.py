from django.urls import path

from . import feeds, views
from .pagecache import anonymous_pages

app_name = "journal"

urlpatterns = [
    path("", anonymous_pages("home")(views.home), name="home"),
    path(
        "<slug:journal_name>/",
        anonymous_pages("journal")(views.journal_posts),
        name="journal",
    ),
    path(
        "<slug:journal_name>/tag/<str:tag_slug>/",
        anonymous_pages("journal")(views.tag_posts),
        name="tag",
    ),
    path(
        "<slug:journal_name>/<int:post_id>.html",
        anonymous_pages("post")(views.post_detail),
        name="post",
    ),
    # Feeds, cached for anonymous readers under the same versions as the pages
    # that show the same things.
    path(
        "<slug:journal_name>/rss/",
        anonymous_pages("journal")(feeds.JournalPostsRss()),
        name="journal_rss",
    ),
    path(
        "<slug:journal_name>/atom/",
        anonymous_pages("journal")(feeds.JournalPostsAtom()),
        name="journal_atom",
    ),
    path(
        "<slug:journal_name>/tag/<str:tag_slug>/rss/",
        anonymous_pages("journal")(feeds.TagPostsRss()),
        name="tag_rss",
    ),
    path(
        "<slug:journal_name>/tag/<str:tag_slug>/atom/",
        anonymous_pages("journal")(feeds.TagPostsAtom()),
        name="tag_atom",
    ),
    path(
        "<slug:journal_name>/<int:post_id>/comments/rss/",
        anonymous_pages("post")(feeds.CommentsRss()),
        name="comments_rss",
    ),
    path(
        "<slug:journal_name>/<int:post_id>/comments/atom/",
        anonymous_pages("post")(feeds.CommentsAtom()),
        name="comments_atom",
    ),
    path(
        "<slug:journal_name>/<int:post_id>/comment/",
        views.post_comment,
        name="post_comment",
    ),
    path(
        "<slug:journal_name>/<int:post_id>/comments/<int:comment_id>/edit/",
        views.edit_comment,
        name="edit_comment",
    ),
    path(
        "<slug:journal_name>/<int:post_id>/comments/<int:comment_id>/delete/",
        views.delete_comment,
        name="delete_comment",
    ),
]
