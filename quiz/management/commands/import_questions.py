"""``manage.py import_questions PATH [--author USERNAME]``: teacher questions from a CSV file.

The file format is described in :mod:`quiz.authoring.csv_import`. Every problem is listed on stderr
and the command exits non-zero; then nothing was imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.authoring.csv_import import import_questions


class Command(BaseCommand):
    help = "Import teacher-written questions from a CSV file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8, header row first).")
        parser.add_argument("--author", help="Username recorded as the questions' author.")

    def handle(self, *args: Any, path: Path, author: str | None, **options: Any) -> None:
        user = None
        if author:
            User = get_user_model()
            try:
                user = User.objects.get(**{User.USERNAME_FIELD: author})
            except User.DoesNotExist as exc:
                raise CommandError(f"No user has the username “{author}”.") from exc
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc

        result = import_questions(data, author=user)
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(f"{path}: {problem}")
            count = len(result.errors)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''} found; nothing was imported.")
        count = len(result.questions)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {count} question{'s' if count != 1 else ''} from {path}.")
        )
