"""The moderation plugin's API, under /api/ (config.urls): its own endpoints
under moderation/, and those it adds beside the platform's journals, posts and
comments."""

from django.urls import path

from . import views

urlpatterns = [
    path("moderation/queue/", views.QueueView.as_view(), name="api-moderation-queue"),
    path(
        "moderation/decisions/",
        views.DecisionsView.as_view(),
        name="api-moderation-decisions",
    ),
    path("moderation/log/", views.LogView.as_view(), name="api-moderation-log"),
    path(
        "moderation/claims/", views.ClaimsView.as_view(), name="api-moderation-claims"
    ),
    path(
        "moderation/claims/<int:comment_id>/",
        views.ClaimView.as_view(),
        name="api-moderation-claim",
    ),
    path(
        "moderation/log/<int:entry_id>/undo/",
        views.UndoView.as_view(),
        name="api-moderation-undo",
    ),
    path(
        "moderation/dismissals/",
        views.DismissalsView.as_view(),
        name="api-moderation-dismissals",
    ),
    path(
        "moderation/restrictions/",
        views.RestrictionsView.as_view(),
        name="api-moderation-restrictions",
    ),
    path(
        "moderation/restrictions/<int:restriction_id>/lift/",
        views.LiftRestrictionView.as_view(),
        name="api-moderation-lift",
    ),
    path(
        "journals/<slug:name>/settings/",
        views.JournalSettings.as_view(),
        name="api-journal-settings",
    ),
    path(
        "posts/<int:post_id>/challenge/",
        views.PostChallenge.as_view(),
        name="api-post-challenge",
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
