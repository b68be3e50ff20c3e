"""Checking a typed answer (the "recall" form): which spellings count as right.

The rule, exactly:

1. Both the typed text and each accepted spelling (the answer and its aliases) are
   folded with :func:`content.models.normalise`: case, accents, punctuation and hyphens,
   spacing, and a leading "the", "a" or "an" do not count ("kim il sung" is "Kim Il-sung").
2. A number is checked as a number, exactly: "1,689", "1689" and "1689 km" match 1689;
   "1698" does not. A unit typed after it is ignored.
3. Other answers allow small misspellings, by the Damerau–Levenshtein distance (optimal
   string alignment: one letter added, dropped, changed, or two neighbours swapped, is
   one edit) between the folded texts: none for an answer of 1–4 characters, 1 for
   5–9 characters, 2 for 10 or more. "Yongbion" counts for "Yongbyon"; "Kim Jong-un"
   does not count for "Kim Jong-il" (two edits on a 10-character name would, so names
   that close are never asked by recall: see :data:`RECALL_MIN_GAP`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from content.models import normalise, numeric_value

#: A recall question is only asked when no other answer of the bank is this close (in
#: edits) to its own: otherwise a slip could turn one right answer into another.
RECALL_MIN_GAP = 3


def allowed_edits(folded: str) -> int:
    """Misspellings forgiven in an answer of this (folded) length."""
    length = len(folded)
    if length >= 10:
        return 2
    if length >= 5:
        return 1
    return 0


def distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (optimal string alignment) between ``a`` and ``b``."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def _number(text: str) -> float | None:
    match = re.match(r"\s*(-?\d[\d,]*(?:\.\d+)?)", text or "")
    return numeric_value(match.group(1)) if match else None


def accepts(accepted: Iterable[str], typed: str) -> bool:
    """Whether ``typed`` counts as one of the ``accepted`` spellings (see the module rule)."""
    folded = normalise(typed)
    if not folded:
        return False
    for spelling in accepted:
        wanted = _number(spelling)
        if wanted is not None and numeric_value(spelling.split(" ")[0]) is not None:
            if _number(typed) == wanted:
                return True
            continue
        target = normalise(spelling)
        if target and distance(folded, target) <= allowed_edits(target):
            return True
    return False


#: The longest answer a player may type.
TYPED_MAX = 200


def typed_answer(value: object) -> str | None:
    """What the player typed, trimmed; None when it is missing, blank or too long."""
    if not isinstance(value, str):
        return None
    typed = " ".join(value.split())
    return typed if 0 < len(typed) <= TYPED_MAX else None


def is_right(form: str, options: list[str], correct: object, chosen: object) -> bool:
    """Whether ``chosen`` answers an item: typed text by :func:`accepts`, else by equality."""
    if form == "recall":
        return isinstance(chosen, str) and accepts(options, chosen)
    return chosen == correct
