"""Regrading: re-scoring every attempt that was asked a question with a key now corrected.

A regrade finds the items asked with the old key and gives each the key that is now
right, adding the difference to its attempt's score:

- a written question's items of earlier versions: always multiple choice (a written
  "true or false" question is one with the choices True and False), moved to the option
  whose text is the question's one right choice now;
- a corrected fact's generated items: multiple choice the same way (to the option that is
  the fact's answer now); true/false by whether the statement asked gives the answer now;
  typed recall by accepting the answer's spellings now and judging what was typed again.
  The timeline forms are built from events' dates, not a fact's answer: left alone.

It runs in one transaction; each item is changed by a conditional UPDATE (its key, or for
typed recall its spellings, still as read), so a second regrade, a replayed or concurrent
request, changes nothing. Each change is recorded (:class:`AttemptCorrection`) for the
attempt's results page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q

from quiz.generation.checking import accepts
from quiz.generation.questions import TRUE_FALSE_PREFIX, recall_spellings, states
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
    #: Typed recall: the spellings accepted before and after (the key is always 0).
    old_options: list[str] | None = None
    new_options: list[str] | None = None


_FIELDS = ("pk", "attempt_id", "position", "form", "stem", "options", "correct", "chosen", "is_correct")


def _change(row: dict[str, Any], new_correct: int, now_right: bool | None, **options: Any) -> Change:
    return Change(
        item_id=row["pk"],
        attempt_id=row["attempt_id"],
        position=row["position"],
        old_correct=row["correct"],
        new_correct=new_correct,
        was_right=row["is_correct"],
        now_right=now_right,
        **options,
    )


def _choice_change(row: dict[str, Any], answer: str) -> Change | None:
    """Multiple choice: the key moves to the one option that is ``answer``."""
    wanted = _norm(answer)
    matches = [i for i, text in enumerate(row["options"]) if _norm(str(text)) == wanted]
    if len(matches) != 1 or row["correct"] == matches[0]:
        return None
    answered = row["answered_at"] is not None
    return _change(row, matches[0], (row["chosen"] == matches[0]) if answered else None)


def _true_false_change(row: dict[str, Any], answer: str) -> Change | None:
    """True/false: the statement asked is true now if it gives ``answer``."""
    statement = row["stem"].removeprefix(TRUE_FALSE_PREFIX)
    key = 0 if states(statement, answer) else 1  # the options are always ["True", "False"]
    if row["correct"] == key:
        return None
    answered = row["answered_at"] is not None
    return _change(row, key, (row["chosen"] == key) if answered else None)


def _recall_change(row: dict[str, Any], fact: Fact) -> Change | None:
    """Typed recall: the item accepts the fact's spellings now; what was typed is judged again."""
    if accepts(row["options"], fact.answer):
        return None  # it already accepts the corrected answer
    spellings = recall_spellings(fact)
    typed = row["chosen"]
    now_right = (
        accepts(spellings, typed) if row["answered_at"] is not None and isinstance(typed, str) else None
    )
    return _change(row, 0, now_right, old_options=row["options"], new_options=spellings)


def _changes(items: QuerySet[Item], answer: str, fact: Fact | None = None) -> list[Change]:
    """The items whose key is not ``answer`` (a written question's items: multiple choice
    only; a fact's: multiple choice, true/false and typed recall)."""
    forms = [Item.Form.MULTIPLE_CHOICE]
    if fact is not None:
        forms += [Item.Form.TRUE_FALSE, Item.Form.RECALL]
    changes = []
    for row in items.filter(form__in=forms).values(*_FIELDS, "answered_at"):
        if not isinstance(row["correct"], int):
            continue
        if row["form"] == Item.Form.RECALL:
            assert fact is not None
            change = _recall_change(row, fact)
        elif row["form"] == Item.Form.TRUE_FALSE:
            change = _true_false_change(row, answer)
        else:
            change = _choice_change(row, answer)
        if change is not None:
            changes.append(change)
    return changes


def affected_items(question: Question) -> QuerySet[Item]:
    """A written question's items asked before its current version."""
    older = Q(question_version__lt=question.version) | Q(question_version__isnull=True)
    return Item.objects.filter(older, question=question)


def fact_items(fact: Fact) -> QuerySet[Item]:
    """The generated items built from ``fact`` (an item's first fact is its ``fact``)."""
    return Item.objects.filter(fact=fact, question__isnull=True)


def pending_count(items: QuerySet[Item], answer: str, fact: Fact | None = None) -> int:
    return len(_changes(items, answer, fact))


def _apply(changes: list[Change], correction: Correction) -> int:
    """Store each change (conditionally) and re-score its attempt. How many items changed."""
    done = 0
    for change in changes:
        # Still the old key, and answered (or not) as read: an answer stored meanwhile is
        # left to the next regrade rather than given a verdict from before it.
        still = Item.objects.filter(
            pk=change.item_id, correct=change.old_correct, answered_at__isnull=change.now_right is None
        )
        values: dict[str, Any] = {"correct": change.new_correct, "is_correct": change.now_right}
        if change.new_options is not None:
            still = still.filter(options=change.old_options)
            values["options"] = change.new_options
        updated = still.update(**values)
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
        changes = _changes(fact_items(fact).select_for_update(), fact.answer, fact)
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
