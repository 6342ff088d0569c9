from django.urls import path

from . import views
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
