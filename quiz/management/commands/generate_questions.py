"""Print generated questions for a topic, as JSON or as readable text."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.models import Tag, Topic
from quiz.generation import GeneratedQuestion, generate_questions
from quiz.models import Item


class Command(BaseCommand):
    help = "Generate questions from a topic's facts and timeline, and print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--topic", required=True, help="Topic slug.")
        parser.add_argument("--tag", help="Only facts and events with this tag (slug).")
        parser.add_argument("--count", type=int, default=10)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(
        self, *args: Any, topic: str, tag: str | None, count: int, seed: int, format: str, **options: Any
    ) -> None:
        try:
            found = Topic.objects.get(slug=topic)
        except Topic.DoesNotExist as exc:
            raise CommandError(f"No topic with slug {topic!r}.") from exc
        if tag and not Tag.objects.filter(slug=tag).exists():
            raise CommandError(f"No tag with slug {tag!r}.")
        if count < 1:
            raise CommandError("--count must be at least 1.")
        questions = generate_questions(found, count=count, seed=seed, tag=tag or None)
        if format == "json":
            self.stdout.write(json.dumps([q.to_json() for q in questions], indent=2, ensure_ascii=False))
            return
        for number, question in enumerate(questions, start=1):
            self.stdout.write(f"{number}. [{question.form}] {question.stem}")
            for line in _option_lines(question):
                self.stdout.write(f"   {line}")
            self.stdout.write(f"   Why: {question.explanation}")
            if question.passage_title:
                self.stdout.write(f"   Read: {question.passage_title} <{question.passage_url}>")
            self.stdout.write("")
        if len(questions) < count:
            self.stderr.write(f"Only {len(questions)} of {count} questions could be generated.")


def _option_lines(question: GeneratedQuestion) -> list[str]:
    """Each option with its mark: * for the right one, its place in an order; for a
    matching, each item with its value."""
    notes = [f"  ({note})" if note else "" for note in question.notes]
    if question.form == Item.Form.MATCH and isinstance(question.answer, list):
        return [
            f"{question.options[index]} → {question.options[value]}{notes[index]}"
            for index, value in enumerate(question.answer)
        ]
    lines = []
    for index, option in enumerate(question.options):
        if isinstance(question.answer, list):
            mark = f"{question.answer.index(index) + 1}."
        else:
            mark = "*" if index == question.answer else " "
        lines.append(f"{mark} {option}{notes[index]}")
    return lines
