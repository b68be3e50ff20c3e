"""Leaderboard URLs."""

from django.urls import path

from quiz.leaderboards import views

urlpatterns = [
    path("leaderboards/", views.leaderboards, name="leaderboards"),
    path("leaderboards/<slug:slug>/", views.quiz_leaderboard, name="quiz_leaderboard"),
]
