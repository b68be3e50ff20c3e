"""Regrading: re-scoring every attempt that was asked a question with a key now corrected.

A regrade finds the items asked with the old key (a written question's items of earlier
versions; a fact's generated multiple-choice items), moves each item's key to the option
that is now right, and adds the difference to its attempt's score. It runs in one
transaction; each item is changed by a conditional UPDATE (``correct`` still the old key),
so a second regrade, a replayed or concurrent request, changes nothing. Each change is
recorded (:class:`AttemptCorrection`) for the attempt's results page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q

from quiz.models import Attempt, Item, Question
from quiz.reports.models import AttemptCorrection, Correction

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from content.models import Fact


class NoKey(ValueError):
    """The question has no single right choice to regrade to."""


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def current_key(question: Question) -> str:
    """The text of the question's one right choice now."""
    right = [choice.text for choice in question.choices.all() if choice.is_correct]
    if len(right) != 1:
        raise NoKey("The question needs exactly one right choice before it can be regraded.")
    return right[0]


@dataclass(frozen=True)
class Change:
    item_id: int
    attempt_id: Any
    position: int
    old_correct: int
    new_correct: int
    was_right: bool | None
    now_right: bool | None


def _changes(items: QuerySet[Item], answer: str) -> list[Change]:
    """The items whose key is not ``answer`` but one of whose options is."""
    wanted = _norm(answer)
    changes = []
    for row in items.filter(form__in=(Item.Form.MULTIPLE_CHOICE,)).values(
        "pk", "attempt_id", "position", "options", "correct", "chosen", "is_correct", "answered_at"
    ):
        matches = [i for i, text in enumerate(row["options"]) if _norm(str(text)) == wanted]
        if len(matches) != 1 or row["correct"] == matches[0] or not isinstance(row["correct"], int):
            continue
        answered = row["answered_at"] is not None
        changes.append(
            Change(
                item_id=row["pk"],
                attempt_id=row["attempt_id"],
                position=row["position"],
                old_correct=row["correct"],
                new_correct=matches[0],
                was_right=row["is_correct"],
                now_right=(row["chosen"] == matches[0]) if answered else None,
            )
        )
    return changes


def affected_items(question: Question) -> QuerySet[Item]:
    """A written question's items asked before its current version."""
    older = Q(question_version__lt=question.version) | Q(question_version__isnull=True)
    return Item.objects.filter(older, question=question)


def fact_items(fact: Fact) -> QuerySet[Item]:
    """The generated items built from ``fact`` (an item's first fact is its ``fact``)."""
    return Item.objects.filter(fact=fact, question__isnull=True)


def pending_count(items: QuerySet[Item], answer: str) -> int:
    return len(_changes(items, answer))


def _apply(changes: list[Change], correction: Correction) -> int:
    """Store each change (conditionally) and re-score its attempt. How many items changed."""
    done = 0
    for change in changes:
        # Still the old key, and answered (or not) as read: an answer stored meanwhile is
        # left to the next regrade rather than given a verdict from before it.
        updated = Item.objects.filter(
            pk=change.item_id, correct=change.old_correct, answered_at__isnull=change.now_right is None
        ).update(
            correct=change.new_correct,
            is_correct=change.now_right,
        )
        if updated != 1:
            continue
        done += 1
        delta = int(bool(change.now_right)) - int(bool(change.was_right))
        if delta:
            Attempt.objects.filter(pk=change.attempt_id).update(score=F("score") + delta)
        attempt_score = Attempt.objects.filter(pk=change.attempt_id).values_list("score", flat=True).get()
        if change.now_right is not None:
            AttemptCorrection.objects.create(
                correction=correction,
                attempt_id=change.attempt_id,
                position=change.position,
                old_score=attempt_score - delta,
                new_score=attempt_score,
            )
    return done


def regrade_question(question: Question, *, by: Any, note: str = "") -> int:
    """Re-score every attempt asked an earlier version of ``question`` with another key.
    How many items changed (0 the second time)."""
    answer = current_key(question)
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        changes = _changes(affected_items(locked), answer)
        if not changes:
            return 0
        correction = Correction.objects.create(question=locked, corrected_by=by, new_answer=answer, note=note)
        done = _apply(changes, correction)
        if not done:
            transaction.set_rollback(True)
        else:
            locked.reports.open().filter(question_version__lt=locked.version).update(
                status="fixed", decided_at=correction.created_at
            )
        return done


def regrade_fact(fact: Fact, *, by: Any, note: str = "") -> int:
    """Re-score the generated items of ``fact`` to its corrected answer. How many changed."""
    with transaction.atomic():
        changes = _changes(fact_items(fact).select_for_update(), fact.answer)
        if not changes:
            return 0
        correction = Correction.objects.create(fact=fact, corrected_by=by, new_answer=fact.answer, note=note)
        done = _apply(changes, correction)
        if not done:
            transaction.set_rollback(True)
        return done


def notes_for(attempt: Attempt) -> list[AttemptCorrection]:
    """What regrades did to ``attempt``, oldest first, for its results page."""
    return list(
        attempt.corrections.select_related("correction").order_by("correction__created_at", "position")
    )
