"""Building a quiz by hand: the questions a teacher can pick, picking, reordering, and
the questions a hand-picked quiz asks.

Candidates are the dossier's published written questions (and the teacher's own drafts)
and generated questions, deterministic for a seed: the page lists them for one seed and
a pick regenerates that seed and freezes the one picked.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import fields
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Q

from quiz import generation
from quiz.assignments.models import QuizPick
from quiz.generation.types import GeneratedQuestion
from quiz.models import Item, Question, Quiz

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

GENERATED_CANDIDATES = 8
_FIELDS = [f.name for f in fields(GeneratedQuestion)]


def usable_questions(quiz: Quiz, teacher: User) -> QuerySet[Question]:
    """Written questions the teacher may use: published ones of the dossier, and their own."""
    return (
        Question.objects.filter(topic_id=quiz.topic_id)
        .filter(Q(status=Question.Status.PUBLISHED) | Q(author=teacher, status=Question.Status.DRAFT))
        .prefetch_related("choices")
        .order_by("pk")
    )


def generation_seed() -> int:
    return secrets.randbits(31)


def generated_candidates(quiz: Quiz, seed: int) -> list[GeneratedQuestion]:
    return generation.generate_questions(quiz.topic, count=GENERATED_CANDIDATES, seed=seed)


def form_label(form: str) -> str:
    """What a question asks the student to do ("Put in order", "Type the answer")."""
    return Item.Form(form).label if form in Item.Form.values else ""


def frozen(question: GeneratedQuestion) -> dict:
    return {name: getattr(question, name) for name in _FIELDS}


def _next_position(quiz: Quiz) -> int:
    return (quiz.picks.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def add(
    quiz: Quiz, *, question: Question | None = None, generated: GeneratedQuestion | None = None
) -> QuizPick:
    pick = QuizPick.objects.create(
        quiz=quiz,
        position=_next_position(quiz),
        question=question,
        snapshot=frozen(generated) if generated is not None else None,
    )
    count = quiz.picks.count()
    Quiz.objects.filter(pk=quiz.pk).update(hand_picked=True, question_count=count, allow_length_choice=False)
    quiz.hand_picked, quiz.question_count, quiz.allow_length_choice = True, count, False
    return pick


@transaction.atomic
def move(pick: QuizPick, step: int) -> None:
    """Swap the pick with its neighbour above (-1) or below (+1)."""
    picks = list(pick.quiz.picks.select_for_update().order_by("position", "pk"))
    index = next(i for i, p in enumerate(picks) if p.pk == pick.pk)
    other = index + step
    if 0 <= other < len(picks):
        picks[index], picks[other] = picks[other], picks[index]
    _renumber(picks)


@transaction.atomic
def remove(pick: QuizPick) -> None:
    quiz = pick.quiz
    pick.delete()
    _renumber(list(quiz.picks.order_by("position", "pk")))
    count = quiz.picks.count()
    Quiz.objects.filter(pk=quiz.pk).update(hand_picked=count > 0, question_count=max(count, 1))


def _renumber(picks: list[QuizPick]) -> None:
    for position, pick in enumerate(picks, start=1):
        pick.position = position
    QuizPick.objects.bulk_update(picks, ["position"])


def picked_questions(quiz: Quiz, seed: int) -> list[GeneratedQuestion]:
    """The questions a hand-picked quiz asks, in the teacher's order; a written question
    that can no longer be asked (its owner broke or unpublished it) is left out."""
    rng = random.Random(seed)
    questions: list[GeneratedQuestion] = []
    for pick in (
        quiz.picks.select_related("question").prefetch_related("question__choices").order_by("position")
    ):
        if pick.snapshot is not None:
            questions.append(GeneratedQuestion(**{k: v for k, v in pick.snapshot.items() if k in _FIELDS}))
        elif pick.question is not None and pick.question.status == Question.Status.PUBLISHED:
            try:
                questions.append(generation.question_from_written(pick.question, rng, shuffle=quiz.shuffle))
            except generation.NotAskable:
                continue
    return questions
