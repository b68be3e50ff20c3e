"""``manage.py make_teacher USERNAME``: add the user to the Teachers group (and staff)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.teachers import make_teachers


class Command(BaseCommand):
    help = "Make a user a teacher: the Teachers group and staff status (the admin's question pages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is called {options['username']!r}.") from None
        make_teachers([user])
        self.stdout.write(f"{user.get_username()} is a teacher.")
