"""The rules a teacher's question must keep, wherever it is written (admin form, CSV import).

Two to six choices, exactly one of them correct, no two alike after normalisation.
"""

from __future__ import annotations

from collections.abc import Sequence

from content.models import normalise

MIN_CHOICES = 2
MAX_CHOICES = 6


def repeated_choices(texts: Sequence[str]) -> dict[int, int]:
    """Map the index of each choice that repeats an earlier one to the earlier one's index.

    Choices are compared with :func:`content.models.normalise`: "Paris", "paris" and
    "Páris." are the same answer to a student, so they cannot be two options.
    """
    first_seen: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for index, text in enumerate(texts):
        key = normalise(text)
        if key in first_seen:
            repeats[index] = first_seen[key]
        else:
            first_seen[key] = index
    return repeats


def choice_count_problem(count: int) -> str | None:
    if count < MIN_CHOICES:
        return f"A question needs at least {MIN_CHOICES} choices; this one has {count}."
    if count > MAX_CHOICES:
        return f"A question can have at most {MAX_CHOICES} choices; this one has {count}."
    return None


def correct_count_problem(count: int) -> str | None:
    if count == 0:
        return "Mark the right answer: no choice is marked correct."
    if count > 1:
        return f"Exactly one choice must be correct; {count} are marked correct."
    return None
