from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("act/", views.act, name="act"),
    path("counts/", views.live_counts, name="counts"),
    path("claim/<int:comment_id>/", views.claim, name="claim"),
    path("log/<int:entry_id>/undo/", views.undo, name="undo"),
    path("thread/<int:comment_id>/<slug:action>/", views.thread_action, name="thread"),
    path("report/<int:comment_id>/", views.report, name="report"),
]
