"""Accounts, profiles, classes, history and leaderboards."""

urlpatterns: list = []
