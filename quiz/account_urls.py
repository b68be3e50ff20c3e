"""Accounts, profiles, classes, history and leaderboards.

Log out, password change and password reset are Django's views (the reset request
through :class:`quiz.accounts.PasswordResetView`, which rate-limits it); the URL names
are Django's own, so its views and templates find each other.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from quiz import accounts, classes

urlpatterns = [
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", accounts.password_reset_view, name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("history/", accounts.history, name="history"),
    path("leaderboards/", accounts.leaderboards, name="leaderboards"),
    path("leaderboards/<slug:slug>/", accounts.quiz_leaderboard, name="quiz_leaderboard"),
    path("classes/", classes.class_list, name="class_list"),
    path("classes/new/", classes.class_create, name="class_create"),
    path("classes/join/", classes.class_join, name="class_join"),
    path("classes/<int:pk>/leave/", classes.class_leave, name="class_leave"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/attempts.csv", classes.class_export, name="class_export"),
]
