"""Numbers about play: a student's history, leaderboards, and a class's results.

Every function answers with a fixed number of aggregate queries, whatever the number of
attempts or items; the little left to do per row (spreading an item's tags, reading the
chosen option's text out of a JSON list) is done in Python on rows already grouped by SQL.

Rankings (also shown on the leaderboard page):

- Only *finished* attempts of *registered* users count, in the Quiz and Challenge modes
  (a review of one's own mistakes is practice, not a score).
- Overall: the total of correct answers. Ties go to whoever reached the total first (the
  earlier last finish), then by username.
- Per quiz: each player's best percentage. Ties go to whoever reached it first (the earlier
  finish of the best attempt), then by username.
- "This week" counts attempts finished since Monday 00:00 UTC.

Days are UTC days everywhere (streaks, class date filters, the week).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, F, FloatField, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import Cast, Coalesce, RowNumber, TruncDate
from django.utils import timezone

from content.models import Section, Tag
from quiz.models import Attempt, Item, Membership

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.contrib.auth.models import User
    from django.db.models.expressions import CombinedExpression

    from quiz.models import Classroom, Quiz

LEADERBOARD_SIZE = 20
RANKED_MODES = (Attempt.Mode.NORMAL, Attempt.Mode.CHALLENGE)
# A challenge of one's own attempt replays questions whose answers the results showed.
# The challenge view refuses it; this keeps any that exist (e.g. claimed at log-in) off the boards.
SELF_REPLAY = Q(mode=Attempt.Mode.CHALLENGE, challenge_of__user=F("user"))


def percent(score: str = "score", length: str = "length") -> CombinedExpression:
    """score / length as a percentage, in floating point on every database."""
    return Cast(F(score), FloatField()) * 100.0 / Cast(F(length), FloatField())


def week_start(now: dt.datetime | None = None) -> dt.datetime:
    """Monday 00:00 UTC of the week that contains ``now``."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    monday = now.date() - dt.timedelta(days=now.weekday())
    return dt.datetime.combine(monday, dt.time.min, tzinfo=dt.UTC)


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


# A student's history ---------------------------------------------------------


def history_attempts(user: User) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user).select_related("quiz").order_by("-started_at")


def attempt_totals(user: User) -> dict[str, int]:
    return Attempt.objects.filter(user=user).aggregate(
        attempts=Count("pk"), finished=Count("pk", filter=Q(finished_at__isnull=False))
    )


def best_per_quiz(user: User) -> list[dict]:
    """Each quiz the user finished: plays and best percentage, best first."""
    rows = (
        Attempt.objects.filter(user=user, finished_at__isnull=False, mode__in=RANKED_MODES, length__gt=0)
        .exclude(SELF_REPLAY)
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


# Leaderboards ------------------------------------------------------------------


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
    attempts = (
        Attempt.objects.filter(
            user__isnull=False, finished_at__isnull=False, mode__in=RANKED_MODES, length__gt=0
        )
        .exclude(SELF_REPLAY)
        .order_by()
    )
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


# Challenges ------------------------------------------------------------------

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


# Classes ---------------------------------------------------------------------


def class_attempts(
    classroom: Classroom,
    quiz: Quiz | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Attempt]:
    """The attempts a class's teacher may see, filtered; dates are UTC days, ends included.

    Only attempts a student started after joining the class: joining shares what you play
    from then on, not your past.
    """
    attempts = Attempt.objects.filter(
        user__memberships__classroom=classroom,
        started_at__gte=F("user__memberships__joined_at"),
    )
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    if since is not None:
        attempts = attempts.filter(started_at__gte=start_of_day(since))
    if until is not None:
        attempts = attempts.filter(started_at__lt=start_of_day(until + dt.timedelta(days=1)))
    return attempts


def class_progress(
    classroom: Classroom,
    quiz: Quiz | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Membership]:
    """Every student of the class with attempts, average percentage and last play. One query.

    The same filters as :func:`class_attempts`; the average is over finished attempts.
    """
    played = Q(student__attempts__started_at__gte=F("joined_at"))
    if quiz is not None:
        played &= Q(student__attempts__quiz=quiz)
    if since is not None:
        played &= Q(student__attempts__started_at__gte=start_of_day(since))
    if until is not None:
        played &= Q(student__attempts__started_at__lt=start_of_day(until + dt.timedelta(days=1)))
    finished = played & Q(student__attempts__finished_at__isnull=False, student__attempts__length__gt=0)
    return (
        Membership.objects.filter(classroom=classroom)
        .select_related("student")
        .annotate(
            attempt_count=Count("student__attempts", filter=played),
            average=Avg(percent("student__attempts__score", "student__attempts__length"), filter=finished),
            last_played=Max("student__attempts__started_at", filter=played),
        )
        .order_by("student__username")
    )


@dataclass
class OptionShare:
    text: str
    picked: int = 0
    is_correct: bool = False


@dataclass
class QuestionStat:
    """How a class did on one teacher question (its stem) or one fact (its statement).

    ``right_orders`` holds the right order of each "put in order" question asked (a fact
    can be asked in several orders, so there may be more than one).
    """

    label: str
    kind: str
    answered: int = 0
    correct: int = 0
    options: list[OptionShare] = field(default_factory=list)
    right_orders: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0


NO_ANSWER = "(no answer)"


def option_text(options: object, index: object) -> str | None:
    """The text of ``options[index]``; None when the index does not point at an option."""
    if isinstance(index, bool) or not isinstance(index, int):
        return None
    if not isinstance(options, list) or not 0 <= index < len(options):
        return None
    option = options[index]
    if isinstance(option, dict):
        option = option.get("text", option)
    return str(option)


def chosen_text(options: object, chosen: object) -> str | None:
    """The text of the option picked; None for an ordering question (no single option)."""
    if chosen is None:
        return NO_ANSWER
    return option_text(options, chosen)


def right_order(options: object, correct: object) -> tuple[str, ...] | None:
    """The options' texts in the right order; None unless ``correct`` is an ordering."""
    if not isinstance(correct, list):
        return None
    texts = [option_text(options, index) for index in correct]
    known = [text for text in texts if text is not None]
    return tuple(known) if len(known) == len(texts) else None


def question_stats(attempts: QuerySet[Attempt]) -> list[QuestionStat]:
    """Per question (teacher-written) or fact (generated): share correct, options picked.

    One query. Items are grouped by (question or fact, options as shown, right option,
    option chosen): the options of a generated question differ between attempts and
    written ones are shuffled, so an option is counted by its TEXT, ``options[chosen]``,
    not by its index. The right option comes from each item's own snapshot
    (``options[correct]``), so it is listed, marked, even when nobody picked it; for an
    ordering the right order is given instead. Hardest first.
    """
    rows = (
        Item.objects.filter(attempt__in=attempts.values("pk"), answered_at__isnull=False)
        .filter(Q(question__isnull=False) | Q(fact__isnull=False))
        .values(
            "question_id",
            "question__stem",
            "fact_id",
            "fact__statement",
            "options",
            "correct",
            "chosen",
            "is_correct",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    stats: dict[tuple[str, int], QuestionStat] = {}
    options: dict[tuple[str, int], dict[str, OptionShare]] = {}
    orders: dict[tuple[str, int], set[tuple[str, ...]]] = {}
    for row in rows:
        if row["question_id"] is not None:
            key = ("question", row["question_id"])
            label, kind = row["question__stem"], "Teacher question"
        else:
            key = ("fact", row["fact_id"])
            label, kind = row["fact__statement"], "Generated from a fact"
        stat = stats.setdefault(key, QuestionStat(label=label, kind=kind))
        stat.answered += row["n"]
        if row["is_correct"]:
            stat.correct += row["n"]
        shares = options.setdefault(key, {})
        if (order := right_order(row["options"], row["correct"])) is not None:
            orders.setdefault(key, set()).add(order)
        elif (right := option_text(row["options"], row["correct"])) is not None:
            shares.setdefault(right, OptionShare(text=right)).is_correct = True
        text = chosen_text(row["options"], row["chosen"])
        if text is not None:
            share = shares.setdefault(text, OptionShare(text=text))
            share.picked += row["n"]
            share.is_correct = share.is_correct or bool(row["is_correct"])
    for key, stat in stats.items():
        stat.options = sorted(options.get(key, {}).values(), key=lambda o: (-o.picked, o.text))
        stat.right_orders = sorted(orders.get(key, ()))
    return sorted(stats.values(), key=lambda s: (s.correct / s.answered, s.label))
