"""Playing: starting attempts, answering, results, review and challenges."""

from django.urls import path

from quiz.play import views

urlpatterns = [
    path("dossiers/<slug:slug>/play/", views.play_topic, name="play_topic"),
    path("tags/<slug:slug>/play/", views.play_tag, name="play_tag"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz_detail"),
    path("challenge/<str:code>/", views.challenge, name="challenge"),
    path("play/<uuid:attempt_id>/", views.attempt_play, name="attempt_play"),
    path("play/<uuid:attempt_id>/q/<int:position>/", views.attempt_question, name="attempt_question"),
    path("play/<uuid:attempt_id>/results/", views.attempt_results, name="attempt_results"),
    path("play/<uuid:attempt_id>/review/", views.attempt_review, name="attempt_review"),
]
