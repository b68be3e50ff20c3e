"""Classes: create, join with a code, leave, results and their CSV."""

from django.urls import path

from quiz.classes import views as classes

urlpatterns = [
    path("classes/", classes.class_list, name="class_list"),
    path("classes/new/", classes.class_create, name="class_create"),
    path("classes/join/", classes.class_join, name="class_join"),
    path("classes/<int:pk>/leave/", classes.class_leave, name="class_leave"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/attempts.csv", classes.class_export, name="class_export"),
]
