"""Audit a dossier's questions: facts that cannot be asked, and defects in those that can."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.models import Topic
from quiz.generation import audit_facts
from quiz.generation.audit import is_withheld
from quiz.generation.lint import DEFECTS, LintContext, lint_topic


class Command(BaseCommand):
    help = (
        "List facts that cannot produce a valid question, then build every askable question "
        "over many seeds and list each defect (see quiz.generation.lint). "
        "With --strict, exit 1 if there are any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--topic", help="Topic slug (default: every topic).")
        parser.add_argument(
            "--strict", action="store_true", help="Exit with status 1 on any problem or defect."
        )

    def handle(self, *args: Any, topic: str | None, strict: bool, **options: Any) -> None:
        found = None
        if topic:
            try:
                found = Topic.objects.get(slug=topic)
            except Topic.DoesNotExist as exc:
                raise CommandError(f"No topic with slug {topic!r}.") from exc
        problems = audit_facts(found)
        blocking = [p for p in problems if not is_withheld(p)]
        for problem in problems:
            prefix = "withheld: " if is_withheld(problem) else ""
            self.stdout.write(f"{prefix}{problem}")
        topics = [found] if found else list(Topic.objects.order_by("slug"))
        context = LintContext.for_topics(topics)
        findings = []
        for current in topics:
            for finding in lint_topic(current, context):
                findings.append(finding)
                self.stdout.write(f"{current.slug}: {finding}")
        facts = len({p.fact.pk for p in blocking})
        lines = [
            f"{facts} fact(s) with {len(blocking)} problem(s)." if blocking else "Every fact can be asked."
        ]
        if findings:
            counts = ", ".join(f"{d}: {n}" for d in DEFECTS if (n := sum(f.defect == d for f in findings)))
            lines.append(f"{len(findings)} defect(s) in generated questions ({counts}).")
        summary = " ".join(lines)
        self.stdout.write(summary)
        if strict and (blocking or findings):
            raise CommandError(summary, returncode=1)
