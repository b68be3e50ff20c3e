"""Study: the review queue, what the player knows per dossier, progress, settings."""

from django.urls import path

from quiz.study import views

urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/dossiers/<slug:slug>/", views.dossier_memory, name="study_dossier"),
    path("review/progress/", views.progress, name="study_progress"),
    path("review/weakest/", views.weakest, name="study_weakest"),
    path("review/settings/", views.study_settings, name="study_settings"),
]
