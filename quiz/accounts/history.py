"""A student's history: attempts, best per quiz, accuracy per tag and passage, streaks.

Every function answers with a fixed number of aggregate queries, whatever the number of
attempts or items; the little left to do per row (spreading an item's tags) is done in
Python on rows already grouped by SQL. Days are UTC days (streaks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from content.models import Section, Tag
from quiz.models import Attempt, Item, percent

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.contrib.auth.models import User


def history_attempts(user: User) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user).select_related("quiz").order_by("-started_at")


def attempt_totals(user: User) -> dict[str, int]:
    return Attempt.objects.filter(user=user).aggregate(
        attempts=Count("pk"), finished=Count("pk", filter=Q(finished_at__isnull=False))
    )


def best_per_quiz(user: User) -> list[dict]:
    """Each quiz the user finished: plays and best percentage, best first."""
    rows = (
        Attempt.objects.ranked()
        .scores_shown()
        .filter(user=user)
        .values("quiz_id", "quiz__title", "quiz__slug", "quiz__published")
        .annotate(plays=Count("pk"), best=Max(percent()))
        .order_by("-best", "quiz__title")
    )
    return [{**row, "best": round(row["best"])} for row in rows]


@dataclass
class Accuracy:
    """How often answers on one tag or section were right."""

    label: str
    url: str = ""
    answered: int = 0
    correct: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0


@dataclass
class AccuracyReport:
    tags: list[Accuracy] = field(default_factory=list)
    sections: list[Accuracy] = field(default_factory=list)
    answered: int = 0
    correct: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0


def accuracy(items: QuerySet[Item]) -> AccuracyReport:
    """Accuracy per tag and per dossier section over the answered ``items``. Three queries.

    SQL groups the items by (tags, section, dossier), so the rows grow with the content
    played, not with the number of answers. A section slug is unique only within its
    dossier, so the dossier comes from the item's fact or question (or, failing both, the
    quiz). The weakest tag or section comes first: that is what to study next.
    """
    rows = (
        items.filter(answered_at__isnull=False)
        .values(
            "tag_slugs",
            "section_slug",
            topic=Coalesce("fact__topic_id", "question__topic_id", "attempt__quiz__topic_id"),
        )
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
        .order_by()
    )
    report = AccuracyReport()
    by_tag: dict[str, Accuracy] = {}
    by_section: dict[tuple[int, str], Accuracy] = {}
    for row in rows:
        report.answered += row["answered"]
        report.correct += row["correct"]
        for slug in row["tag_slugs"] or []:
            _add(by_tag.setdefault(slug, Accuracy(label=slug)), row)
        if row["section_slug"]:
            key = (row["topic"], row["section_slug"])
            _add(by_section.setdefault(key, Accuracy(label=row["section_slug"])), row)
    if by_tag:
        for tag in Tag.objects.filter(slug__in=by_tag):
            by_tag[tag.slug].label = tag.name
            by_tag[tag.slug].url = tag.get_absolute_url()
    if by_section:
        sections = Section.objects.filter(
            topic_id__in={topic for topic, _ in by_section}, slug__in={slug for _, slug in by_section}
        ).select_related("topic")
        for section in sections:
            if (found := by_section.get((section.topic_id, section.slug))) is not None:
                found.label = section.heading
                found.url = section.get_absolute_url()
    report.tags = _weakest_first(by_tag.values())
    report.sections = _weakest_first(by_section.values())
    return report


def _add(accuracy: Accuracy, row: Mapping[str, Any]) -> None:
    accuracy.answered += row["answered"]
    accuracy.correct += row["correct"]


def _weakest_first(rows: Iterable[Accuracy]) -> list[Accuracy]:
    return sorted(rows, key=lambda a: (a.correct / a.answered, a.label.casefold()))


def days_played(items: QuerySet[Item]) -> set[dt.date]:
    """The UTC days on which at least one of ``items`` was answered."""
    return set(
        items.filter(answered_at__isnull=False)
        .annotate(day=TruncDate("answered_at", tzinfo=dt.UTC))
        .order_by()
        .values_list("day", flat=True)
        .distinct()
    )


def current_streak(days: set[dt.date], today: dt.date) -> int:
    """Consecutive days played, ending today, or yesterday if today has no play yet.

    A streak that ended yesterday is still alive (the day is not over), one that ended
    before yesterday is broken: 0.
    """
    day = today if today in days else today - dt.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak
