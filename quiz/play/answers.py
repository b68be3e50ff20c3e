"""Answering: reading the player's choice, and storing it exactly once.

An answer is stored by one conditional UPDATE of the item (unanswered, served) and, only
if that changed a row, one conditional UPDATE of the attempt (not finished, not past its
deadline) that adds to the score, counts the answer and sets ``finished_at`` when it was
the last one. Both run in one transaction: if the attempt refused (it finished
meanwhile), the item's update is rolled back. Nothing is read and then written back, so
a replay, a double click or a second tab cannot count twice.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from quiz.generation import checking
from quiz.models import Attempt, Item
from quiz.study import memory as study


class InvalidAnswer(ValueError):
    """The submitted choice is not one of the item's options."""


_INDEX = re.compile(r"[0-9]{1,3}")


def _index(value: Any, size: int) -> int:
    if not isinstance(value, str) or not _INDEX.fullmatch(value):
        raise InvalidAnswer("Choose one of the options shown.")
    index = int(value)
    if index >= size:
        raise InvalidAnswer("That is not one of this question's options.")
    return index


def parse_choice(form: str, option_count: int, data: Any) -> int | list[int] | str:
    """The player's answer from POST data, checked against the item's options.

    Choice forms post ``choice=<option index>``. The order form posts ``place_<i>=<n>``:
    the place (1..N) the player gives option ``i``; it becomes the list of option indexes
    from first to last, the shape of ``Item.correct``, and must be a permutation.
    """
    if form == Item.Form.RECALL:
        typed = checking.typed_answer(data.get("typed"))
        if typed is None:
            raise InvalidAnswer(f"Type your answer (at most {checking.TYPED_MAX} characters).")
        return typed
    if form != Item.Form.ORDER:
        return _index(data.get("choice"), option_count)
    order: list[int | None] = [None] * option_count
    for option in range(option_count):
        place = _index(data.get(f"place_{option}", ""), option_count + 1)
        if place == 0 or order[place - 1] is not None:
            raise InvalidAnswer(f"Give each event a different place, from 1 to {option_count}.")
        order[place - 1] = option
    return [index for index in order if index is not None]


def record_answer(attempt: Attempt, item: Item, chosen: int | list[int] | str) -> bool:
    """Store the answer once. False if it did not count (already answered, finished, late).

    On success ``item`` and ``attempt`` are updated in memory as the database now has
    them (score, count, finished), so nothing needs to be read again.
    """
    correct = checking.is_right(item.form, item.options, item.correct, chosen)
    now = timezone.now()
    with transaction.atomic():
        stored = Item.objects.filter(
            pk=item.pk, attempt_id=attempt.pk, answered_at__isnull=True, served_at__isnull=False
        ).update(answered_at=now, chosen=chosen, is_correct=correct)
        if stored != 1:
            return False
        counted = (
            Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True)
            .filter(Q(deadline__isnull=True) | Q(deadline__gt=now))
            .update(
                score=F("score") + int(correct),
                answered_count=F("answered_count") + 1,
                # SET expressions see the row as it was: answered_count + 1 is the new count.
                finished_at=Case(When(answered_count__gte=F("length") - 1, then=Value(now)), default=None),
            )
        )
        if counted != 1:
            transaction.set_rollback(True)
            return False
        study.record_review(attempt, item.fact_ids, study.rating_for(item.form, correct), now, form=item.form)
    item.answered_at, item.chosen, item.is_correct = now, chosen, correct
    attempt.score += int(correct)
    attempt.answered_count += 1
    if attempt.answered_count >= attempt.length:
        attempt.finished_at = now
    return True
