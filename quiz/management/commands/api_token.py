"""``manage.py api_token USERNAME [--revoke]``: create (or replace) a teacher's API token, printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.api.models import ApiToken
from quiz.permissions import is_teacher


class Command(BaseCommand):
    help = "Create or replace a teacher's API token (printed once), or revoke it with --revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="Delete the user's token.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if options["revoke"]:
            deleted, _ = ApiToken.objects.filter(user=user).delete()
            self.stdout.write("Token revoked." if deleted else "That user had no token.")
            return
        if not is_teacher(user):
            raise CommandError(f"{user.username} is not a teacher: API tokens are for teachers.")
        _, key = ApiToken.issue(user)
        self.stdout.write(key)
