from django.urls import path

from . import views

urlpatterns = [
    path("queue/", views.QueueView.as_view(), name="api-moderation-queue"),
    path("decisions/", views.DecisionsView.as_view(), name="api-moderation-decisions"),
    path("log/", views.LogView.as_view(), name="api-moderation-log"),
    path(
        "log/<int:entry_id>/undo/", views.UndoView.as_view(), name="api-moderation-undo"
    ),
    path(
        "dismissals/",
        views.DismissalsView.as_view(),
        name="api-moderation-dismissals",
    ),
    path(
        "restrictions/",
        views.RestrictionsView.as_view(),
        name="api-moderation-restrictions",
    ),
    path(
        "restrictions/<int:restriction_id>/lift/",
        views.LiftRestrictionView.as_view(),
        name="api-moderation-lift",
    ),
]
