"""What to export, and the export file: a teacher's questions, a quiz, a dossier's bank.

Each question is exported as a student meets it (:class:`~quiz.generation.GeneratedQuestion`):
a teacher's question with its choices in the order written, its choices' notes, and its
explanation followed by the sources of the facts it is linked to; a generated question with
its explanation, which names its sources (and, for a disputed fact, whose value it asks).
Each group becomes a Moodle question category of its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils.text import slugify

from content.models import Citation, Fact, Tag, Topic
from quiz.authoring.formats.gift import write_gift
from quiz.authoring.formats.moodle_xml import write_moodle_xml
from quiz.generation import NotAskable, question_from_written, questions_for_facts
from quiz.models import Question, Quiz

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from quiz.generation import GeneratedQuestion

#: The generated bank is the same for everyone who exports it (options drawn with this seed).
BANK_SEED = 0
EXPORT_FORMATS = {"gift": ("text/plain", "gift"), "xml": ("application/xml", "xml")}


@dataclass
class Export:
    """One category of exported questions, and what could not be exported, with why."""

    category: str
    questions: list[GeneratedQuestion] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def written_questions(questions: QuerySet[Question]) -> list[Export]:
    """Teacher questions, one category per dossier (by title), in the order of the queryset's pks."""
    loaded = (
        questions.select_related("topic", "section__topic")
        .prefetch_related(
            "choices",
            Prefetch("tags", queryset=Tag.objects.order_by("slug")),
            Prefetch("facts", queryset=Fact.objects.order_by("pk")),
            Prefetch("facts__citations", queryset=Citation.objects.select_related("source").order_by("pk")),
        )
        .order_by("topic__title", "pk")
    )
    exports: dict[int, Export] = {}
    rng = random.Random(BANK_SEED)  # unused without shuffling; question_from_written takes one
    for question in loaded:
        export = exports.setdefault(question.topic_id, Export(question.topic.title))
        try:
            export.questions.append(question_from_written(question, rng, shuffle=False))
        except NotAskable as exc:
            export.skipped.append(f"“{question}” (#{question.pk}): {exc}")
    return list(exports.values())


def teacher_questions(user: User) -> list[Export]:
    """Every question ``user`` wrote or imported."""
    return written_questions(Question.objects.filter(author=user))


def dossier_bank(topic: Topic, tag: Tag | None = None, *, category: str = "") -> Export:
    """The dossier's generated bank: one multiple-choice question per fact that can be asked
    (``manage.py audit_questions`` says why the others cannot), options drawn with :data:`BANK_SEED`."""
    facts = Fact.objects.filter(topic=topic)
    if tag is not None:
        facts = facts.filter(tags=tag)
    slugs = dict(facts.order_by("pk").values_list("pk", "slug"))
    questions = questions_for_facts(list(slugs), seed=BANK_SEED)
    asked = {pk for question in questions for pk in question.fact_ids}
    return Export(
        category or f"{topic.title} (generated)",
        questions,
        [
            f"fact “{slug}”: cannot be asked (see manage.py audit_questions)"
            for pk, slug in slugs.items()
            if pk not in asked
        ],
    )


def quiz_questions(quiz: Quiz) -> list[Export]:
    """What ``quiz`` draws from: its dossier's published teacher questions and/or generated
    bank (by its mix), both narrowed to its tag."""
    exports = []
    if quiz.mix in (Quiz.Mix.WRITTEN, Quiz.Mix.BOTH):
        written = Question.objects.published().filter(topic_id=quiz.topic_id)
        if quiz.tag_id:
            written = written.filter(tags=quiz.tag_id)
        for export in written_questions(written):
            export.category = f"{quiz.title} (teachers)"
            exports.append(export)
    if quiz.mix in (Quiz.Mix.GENERATED, Quiz.Mix.BOTH):
        exports.append(dossier_bank(quiz.topic, quiz.tag, category=f"{quiz.title} (generated)"))
    return exports


def render(exports: list[Export], format: str, *, heading: str = "") -> bytes:
    """The export file in ``format`` (``gift`` or ``xml``)."""
    if format == "gift":
        parts = [write_gift(export.questions, category=export.category) for export in exports]
        header = "".join(f"// {line}\n" for line in heading.splitlines()) + "\n" if heading else ""
        return (header + "\n".join(parts)).encode()
    if format == "xml":
        return write_moodle_xml([(export.category, export.questions) for export in exports], heading=heading)
    raise ValueError(f"unknown export format {format!r}")


def file_name(stem: str, format: str) -> str:
    return f"{slugify(stem) or 'questions'}.{EXPORT_FORMATS[format][1]}"
