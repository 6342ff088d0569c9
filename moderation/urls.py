from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("act/", views.act, name="act"),
    path("counts/", views.live_counts, name="counts"),
    path("claim/<int:comment_id>/", views.claim, name="claim"),
    path("log/<int:entry_id>/undo/", views.undo, name="undo"),
    path("heat/<int:screening_id>/lift/", views.lift_heat, name="lift_heat"),
    path("thread/<int:comment_id>/<slug:action>/", views.thread_action, name="thread"),
    path("report/<int:comment_id>/", views.report, name="report"),
    path(
        "appeal/comment/<int:comment_id>/",
        views.appeal_comment,
        name="appeal_comment",
    ),
    path(
        "appeal/<slug:journal_name>/<slug:kind>/",
        views.appeal_restriction,
        name="appeal_restriction",
    ),
    path(
        "appeals/<int:appeal_id>/decide/",
        views.decide_appeal,
        name="decide_appeal",
    ),
    path("notes/", views.write_note, name="write_note"),
    path("notes/<int:note_id>/retire/", views.retire_note, name="retire_note"),
]
