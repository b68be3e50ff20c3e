"""List every fact that cannot produce a valid question, and why."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.models import Topic
from quiz.generation import audit_facts


class Command(BaseCommand):
    help = "List facts that cannot produce a valid question. With --strict, exit 1 if there are any."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--topic", help="Topic slug (default: every topic).")
        parser.add_argument(
            "--strict", action="store_true", help="Exit with status 1 when any fact has a problem."
        )

    def handle(self, *args: Any, topic: str | None, strict: bool, **options: Any) -> None:
        found = None
        if topic:
            try:
                found = Topic.objects.get(slug=topic)
            except Topic.DoesNotExist as exc:
                raise CommandError(f"No topic with slug {topic!r}.") from exc
        problems = audit_facts(found)
        for problem in problems:
            self.stdout.write(str(problem))
        facts = len({p.fact.pk for p in problems})
        summary = (
            f"{facts} fact(s) with {len(problems)} problem(s)." if problems else "Every fact can be asked."
        )
        self.stdout.write(summary)
        if strict and problems:
            raise CommandError(summary, returncode=1)
