"""Assignments, the class gradebook and its exports, item analysis."""

from django.urls import path

from quiz.assignments import views

urlpatterns = [
    path("assigned/", views.assigned_list, name="assigned_list"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/analysis/", views.assignment_analysis, name="assignment_analysis"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("classes/<int:pk>/assign/", views.assignment_create, name="assignment_create"),
    path("classes/<int:pk>/gradebook/", views.class_gradebook, name="class_gradebook"),
    path("classes/<int:pk>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("classes/<int:pk>/gradebook.xlsx", views.gradebook_xlsx, name="gradebook_xlsx"),
    path("gradebook/attempts/<uuid:attempt_id>/", views.gradebook_attempt, name="gradebook_attempt"),
    path("my-quizzes/", views.my_quizzes, name="my_quizzes"),
    path("my-quizzes/new/", views.quiz_edit, name="quiz_create"),
    path("my-quizzes/<int:pk>/", views.quiz_edit, name="quiz_edit"),
    path("my-quizzes/<int:pk>/questions/", views.quiz_build, name="quiz_build"),
    path("my-quizzes/<int:pk>/delete/", views.quiz_delete, name="quiz_delete"),
]
