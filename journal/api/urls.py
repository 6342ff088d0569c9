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
    path("posts/<int:pk>/", views.PostDetail.as_view(), name="api-post"),
    path(
        "posts/<int:post_id>/comments/",
        views.PostComments.as_view(),
        name="api-post-comments",
    ),
    path(
        "comments/<int:comment_id>/", views.CommentDetail.as_view(), name="api-comment"
    ),
]
