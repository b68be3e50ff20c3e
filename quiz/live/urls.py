"""Pages of the live game."""

from django.urls import path

from quiz.live import views

urlpatterns = [
    path("join/", views.live_join, name="live_join"),
    path("live/new/", views.live_new, name="live_new"),
    path("live/<uuid:game_id>/host/", views.live_host, name="live_host"),
    path("live/<uuid:game_id>/host/act/", views.live_host_action, name="live_host_action"),
    path("live/<uuid:game_id>/qr.svg", views.live_qr, name="live_qr"),
    path("live/<uuid:game_id>/", views.live_play, name="live_play"),
    path("live/<uuid:game_id>/answer/", views.live_answer, name="live_answer"),
]
