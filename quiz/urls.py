"""Playing: starting attempts, answering, results. (Views land with the play work.)"""

from django.urls import path

from quiz import views

urlpatterns = [
    path("dossiers/<slug:slug>/play/", views.play_topic, name="play_topic"),
    path("tags/<slug:slug>/play/", views.play_tag, name="play_tag"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz_detail"),
    path("play/<uuid:attempt_id>/", views.attempt_play, name="attempt_play"),
    path("play/<uuid:attempt_id>/results/", views.attempt_results, name="attempt_results"),
]
