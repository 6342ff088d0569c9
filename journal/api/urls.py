from django.urls import path

from . import views

urlpatterns = [
    path("journals/", views.JournalList.as_view(), name="api-journals"),
    path("journals/<slug:name>/", views.JournalDetail.as_view(), name="api-journal"),
    path(
        "journals/<slug:name>/tags/",
        views.JournalTags.as_view(),
        name="api-journal-tags",
    ),
    path(
        "journals/<slug:name>/posts/",
        views.JournalPosts.as_view(),
        name="api-journal-posts",
    ),
    path(
        "journals/<slug:name>/settings/",
        views.JournalSettings.as_view(),
        name="api-journal-settings",
    ),
    path("posts/<int:pk>/", views.PostDetail.as_view(), name="api-post"),
    path(
        "posts/<int:post_id>/comments/",
        views.PostComments.as_view(),
        name="api-post-comments",
    ),
    path(
        "posts/<int:post_id>/challenge/",
        views.PostChallenge.as_view(),
        name="api-post-challenge",
    ),
    path(
        "comments/<int:comment_id>/", views.CommentDetail.as_view(), name="api-comment"
    ),
    path(
        "comments/<int:comment_id>/flag/",
        views.CommentFlag.as_view(),
        name="api-comment-flag",
    ),
    path(
        "comments/<int:comment_id>/freeze/",
        views.CommentThreadAction.as_view(action_name="freeze"),
        name="api-freeze",
    ),
    path(
        "comments/<int:comment_id>/unfreeze/",
        views.CommentThreadAction.as_view(action_name="unfreeze"),
        name="api-unfreeze",
    ),
    path(
        "comments/<int:comment_id>/delete-thread/",
        views.CommentThreadAction.as_view(action_name="delete"),
        name="api-delete-thread",
    ),
    path(
        "comments/<int:comment_id>/screen/",
        views.CommentThreadAction.as_view(action_name="screen"),
        name="api-screen",
    ),
    path(
        "comments/<int:comment_id>/unscreen/",
        views.CommentThreadAction.as_view(action_name="unscreen"),
        name="api-unscreen",
    ),
]
