"""Leaderboards: overall and per quiz, all time or this week; and a shared link's challengers.

Rankings:

- Only *finished* attempts of *registered* users count, in the Quiz and Challenge modes
  (a review of one's own mistakes is practice, not a score): ``Attempt.objects.ranked()``;
  an assignment's attempt only once its score may be shown (after its due date when the
  answers are kept until then): ``scores_shown()``.
- Overall: the total of correct answers. Ties go to whoever reached the total first (the
  earlier last finish), then by username.
- Per quiz: each player's best percentage. Ties go to whoever reached it first (the earlier
  finish of the best attempt), then by username.
- "This week" counts attempts finished since Monday 00:00 UTC.

Every function answers with a fixed number of aggregate queries, whatever the number of
attempts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from quiz.models import Attempt, percent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from quiz.models import Quiz

LEADERBOARD_SIZE = 20


def week_start(now: dt.datetime | None = None) -> dt.datetime:
    """Monday 00:00 UTC of the week that contains ``now``."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    monday = now.date() - dt.timedelta(days=now.weekday())
    return dt.datetime.combine(monday, dt.time.min, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Standing:
    """One row of a leaderboard. ``length`` and ``percent`` are set on quiz boards only."""

    rank: int
    user_id: int
    username: str
    score: int
    length: int | None = None
    percent: int | None = None


def ranked_attempts(since: dt.datetime | None = None) -> QuerySet[Attempt]:
    """The attempts that count on a leaderboard (see the module docstring)."""
    attempts = Attempt.objects.ranked().scores_shown().filter(user__isnull=False).order_by()
    if since is not None:
        attempts = attempts.filter(finished_at__gte=since)
    return attempts


def _overall_totals(since: dt.datetime | None) -> QuerySet:
    return (
        ranked_attempts(since)
        .values("user_id", "user__username")
        .annotate(total=Sum("score"), reached=Max("finished_at"))
    )


def overall_leaderboard(since: dt.datetime | None = None, limit: int = LEADERBOARD_SIZE) -> list[Standing]:
    rows = _overall_totals(since).order_by("-total", "reached", "user__username")[:limit]
    return [
        Standing(rank=n, user_id=row["user_id"], username=row["user__username"], score=row["total"])
        for n, row in enumerate(rows, start=1)
    ]


def overall_standing(user: User, since: dt.datetime | None = None) -> Standing | None:
    """The user's row wherever they rank; None if they have nothing that counts. Two queries."""
    mine = ranked_attempts(since).filter(user=user).aggregate(total=Sum("score"), reached=Max("finished_at"))
    if mine["total"] is None:
        return None
    total, reached = mine["total"], mine["reached"]
    ahead = (
        _overall_totals(since)
        .filter(
            Q(total__gt=total)
            | Q(total=total, reached__lt=reached)
            | Q(total=total, reached=reached, user__username__lt=user.username)
        )
        .count()
    )
    return Standing(rank=ahead + 1, user_id=user.pk, username=user.username, score=total)


def quiz_leaderboard(
    quiz: Quiz, since: dt.datetime | None = None, limit: int = LEADERBOARD_SIZE
) -> list[Standing]:
    """Each player's best attempt at ``quiz`` (a window function picks it), best first."""
    best = (
        ranked_attempts(since)
        .filter(quiz=quiz)
        .annotate(
            pct=percent(),
            row=Window(
                RowNumber(),
                partition_by=F("user_id"),
                order_by=[percent().desc(), F("finished_at").asc(), F("pk").asc()],
            ),
        )
        .filter(row=1)
        .values("user_id", "user__username", "score", "length", "pct", "finished_at")
        .order_by("-pct", "finished_at", "user__username")[:limit]
    )
    return [
        Standing(
            rank=n,
            user_id=row["user_id"],
            username=row["user__username"],
            score=row["score"],
            length=row["length"],
            percent=round(row["pct"]),
        )
        for n, row in enumerate(best, start=1)
    ]


def quiz_standing(user: User, quiz: Quiz, since: dt.datetime | None = None) -> Standing | None:
    """The user's row on the quiz board wherever they rank. Two queries.

    Another player is ahead exactly when one of their attempts beats the user's best;
    percentages are compared by cross-multiplying (score × length), so no rounding.
    """
    attempts = ranked_attempts(since).filter(quiz=quiz)
    best = (
        attempts.filter(user=user)
        .annotate(pct=percent())
        .order_by("-pct", "finished_at", "pk")
        .values("score", "length", "finished_at")
        .first()
    )
    if best is None:
        return None
    score, length, finished = best["score"], best["length"], best["finished_at"]
    ahead = (
        attempts.exclude(user=user)
        .alias(theirs=F("score") * length, mine=F("length") * score)
        .filter(
            Q(theirs__gt=F("mine"))
            | Q(theirs=F("mine"), finished_at__lt=finished)
            | Q(theirs=F("mine"), finished_at=finished, user__username__lt=user.username)
        )
        .values("user_id")
        .distinct()
        .count()
    )
    return Standing(
        rank=ahead + 1,
        user_id=user.pk,
        username=user.username,
        score=score,
        length=length,
        percent=round(100 * score / length),
    )


CHALLENGERS_SHOWN = 50


def challengers(attempt: Attempt, limit: int = CHALLENGERS_SHOWN) -> QuerySet[Attempt]:
    """The finished challenges of ``attempt`` (its shared link), best first. One query.

    Best is the higher score (a challenge copies the original's questions, so every one has
    the same length), then whoever finished first. The list is capped: a link that went
    viral should not make its sharer's results page unbounded.
    """
    return (
        attempt.challenges.filter(mode=Attempt.Mode.CHALLENGE, finished_at__isnull=False)
        .select_related("user")
        .order_by("-score", "finished_at", "pk")[:limit]
    )
