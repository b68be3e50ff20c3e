"""``manage.py import_questions PATH [--format F] [--topic SLUG] [--author USERNAME]``.

Teacher questions from a CSV, GIFT, Aiken or Moodle XML file (:mod:`quiz.authoring.formats`).
The format comes from ``--format`` or else from the file's extension (``.csv``, ``.gift``,
``.xml``, ``.aiken``; a ``.txt`` file is told apart by its content). GIFT, Aiken and XML
files do not name the dossier: ``--topic`` does. Every problem is listed on stderr and the
command exits non-zero; then nothing was imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.models import Topic
from quiz.authoring.formats import FORMATS, NEED_TOPIC, detect_format, import_file


class Command(BaseCommand):
    help = "Import teacher-written questions from a CSV, GIFT, Aiken or Moodle XML file (all or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The file (UTF-8).")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            help="csv, gift, aiken or xml; by default from the extension (.csv .gift .aiken .xml; "
            ".txt: GIFT if it has braces, Aiken if it has ANSWER: lines).",
        )
        parser.add_argument("--topic", help="Slug of the dossier the questions go to (GIFT, Aiken, XML).")
        parser.add_argument("--author", help="Username recorded as the questions' author.")

    def handle(
        self,
        *args: Any,
        path: Path,
        format: str | None,
        topic: str | None,
        author: str | None,
        **options: Any,
    ) -> None:
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
        format = format or detect_format(path.name, data)
        if format is None:
            raise CommandError(
                f"Cannot tell the format of {path.name}; say --format {{{','.join(FORMATS)}}}."
            )
        dossier = None
        if format in NEED_TOPIC:
            if not topic:
                raise CommandError(f"A {FORMATS[format]} file does not name the dossier: say --topic SLUG.")
            try:
                dossier = Topic.objects.get(slug=topic)
            except Topic.DoesNotExist as exc:
                raise CommandError(f"No dossier has the slug “{topic}”.") from exc
        elif topic:
            raise CommandError("A CSV file names the dossier of each row in its topic column; drop --topic.")

        result = import_file(data, format=format, topic=dossier, author=user)
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(f"{path}: {problem}")
            count = len(result.errors)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''} found; nothing was imported.")
        count = len(result.questions)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {count} question{'s' if count != 1 else ''} from {path}.")
        )
