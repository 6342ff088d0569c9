from django.urls import path

from . import views

app_name = "journal"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:journal_name>/", views.journal_posts, name="journal"),
    path("<slug:journal_name>/tag/<str:tag_slug>/", views.tag_posts, name="tag"),
    path("<slug:journal_name>/<int:post_id>.html", views.post_detail, name="post"),
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
