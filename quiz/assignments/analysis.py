"""Item analysis of an assignment, as Moodle's quiz statistics compute it on first attempts.

Every student of an assignment gets the same questions in the same order (one seed per
assignment), so items are compared by position. For each item:

- facility: the share of first attempts that got it right (0–100 %);
- discrimination index: the correlation (Pearson) between the item's score and the score
  on the rest of the attempt, as a percentage, as Moodle reports it; negative means the
  students who did well overall got this one wrong more often: look at its key;
- how often each wrong option was picked.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from quiz.assignments.models import Assignment
from quiz.generation.matching import pairs_text
from quiz.models import Item


@dataclass
class ItemStats:
    position: int
    stem: str
    correct_text: str
    answered: int = 0
    right: int = 0
    discrimination: float | None = None
    wrong_options: list[tuple[str, int]] = field(default_factory=list)

    @property
    def facility(self) -> int | None:
        return round(self.right * 100 / self.answered) if self.answered else None

    @property
    def flagged(self) -> bool:
        return self.discrimination is not None and self.discrimination < 0


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return round(100 * sxy / math.sqrt(sxx * syy), 1)


def option_text(item: Item, value: object) -> str:
    options = item.options
    if item.form == Item.Form.MATCH:
        return pairs_text(options, value)
    if isinstance(value, int) and 0 <= value < len(options):
        return str(options[value])
    if isinstance(value, list):
        return " → ".join(str(options[i]) for i in value if isinstance(i, int) and 0 <= i < len(options))
    return ""


def analyse(assignment: Assignment) -> list[ItemStats]:
    """One query: the items of every student's first finished attempt."""
    first_ids: dict[int, object] = {}
    for attempt_id, user_id in (
        assignment.graded_attempts()
        .filter(finished_at__isnull=False)
        .order_by("started_at", "pk")
        .values_list("pk", "user_id")
    ):
        first_ids.setdefault(user_id, attempt_id)
    items = list(Item.objects.filter(attempt_id__in=list(first_ids.values())).order_by("position"))
    totals: Counter[object] = Counter()
    for item in items:
        totals[item.attempt_id] += 1 if item.is_correct else 0
    stats: dict[int, ItemStats] = {}
    scores: dict[int, tuple[list[float], list[float]]] = {}
    wrong: dict[int, Counter[str]] = {}
    for item in items:
        entry = stats.get(item.position)
        if entry is None:
            entry = stats[item.position] = ItemStats(
                item.position, item.stem, option_text(item, item.correct)
            )
            scores[item.position], wrong[item.position] = ([], []), Counter()
        if item.answered_at is None:
            continue
        got = 1.0 if item.is_correct else 0.0
        entry.answered += 1
        entry.right += int(got)
        scores[item.position][0].append(got)
        scores[item.position][1].append(totals[item.attempt_id] - got)
        if not item.is_correct:
            wrong[item.position][option_text(item, item.chosen)] += 1
    for position, entry in stats.items():
        entry.discrimination = _correlation(*scores[position])
        entry.wrong_options = wrong[position].most_common()
    return [stats[p] for p in sorted(stats)]
