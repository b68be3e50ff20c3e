"""``manage.py export_questions (--author USER | --quiz SLUG | --bank SLUG) [--format gift|xml] [-o FILE]``.

Writes GIFT or Moodle XML (:mod:`quiz.authoring.formats.export`): a teacher's questions, what
a quiz draws from, or a dossier's whole generated bank. To stdout unless ``--output``; the
format comes from ``--format``, else from the output's extension, else GIFT. What cannot be
exported (a broken question, a fact that cannot be asked) is listed on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.models import Tag, Topic
from quiz.authoring.formats.export import (
    EXPORT_FORMATS,
    Export,
    dossier_bank,
    quiz_questions,
    render,
    teacher_questions,
)
from quiz.models import Quiz


class Command(BaseCommand):
    help = "Export questions as Moodle GIFT or Moodle XML."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--author", help="Every question this user wrote or imported (username).")
        what.add_argument("--quiz", help="What this quiz draws from (slug).")
        what.add_argument("--bank", help="This dossier's whole generated bank (slug).")
        parser.add_argument("--tag", help="With --bank: only facts with this tag (slug).")
        parser.add_argument("--format", choices=list(EXPORT_FORMATS))
        parser.add_argument("-o", "--output", type=Path, help="The file to write (default: stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        format = options["format"] or (
            "xml" if output is not None and output.suffix.lower() == ".xml" else "gift"
        )
        exports, heading = self._exports(options)
        for export in exports:
            for reason in export.skipped:
                self.stderr.write(f"Not exported: {reason}")
        data = render(exports, format, heading=heading)
        if output is None:
            self.stdout.write(data.decode(), ending="")
            return
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        count = sum(len(export.questions) for export in exports)
        self.stderr.write(
            self.style.SUCCESS(f"Wrote {count} question{'s' if count != 1 else ''} to {output}.")
        )

    def _exports(self, options: dict[str, Any]) -> tuple[list[Export], str]:
        if options["tag"] and not options["bank"]:
            raise CommandError("--tag goes with --bank.")
        if username := options["author"]:
            User = get_user_model()
            try:
                user = User.objects.get(**{User.USERNAME_FIELD: username})
            except User.DoesNotExist as exc:
                raise CommandError(f"No user has the username “{username}”.") from exc
            return teacher_questions(user), f"Questions by {username}"
        if slug := options["quiz"]:
            try:
                quiz = Quiz.objects.select_related("topic", "tag").get(slug=slug)
            except Quiz.DoesNotExist as exc:
                raise CommandError(f"No quiz has the slug “{slug}”.") from exc
            return quiz_questions(quiz), f"Quiz: {quiz.title}"
        slug = options["bank"]
        try:
            topic = Topic.objects.get(slug=slug)
        except Topic.DoesNotExist as exc:
            raise CommandError(f"No dossier has the slug “{slug}”.") from exc
        tag = None
        if options["tag"]:
            try:
                tag = Tag.objects.get(slug=options["tag"])
            except Tag.DoesNotExist as exc:
                raise CommandError(f"No tag has the slug “{options['tag']}”.") from exc
        return [dossier_bank(topic, tag)], f"Generated questions: {topic.title}"
