"""A class's results: the attempts its teacher may see, each student's progress, and
per-question statistics. Fixed query counts whatever the class size; dates are UTC days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, F, Max, Q, QuerySet

from quiz.generation.matching import pairs_text
from quiz.models import Attempt, Item, Membership, percent

if TYPE_CHECKING:
    from quiz.models import Classroom, Quiz


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def class_attempts(
    classroom: Classroom,
    quiz: Quiz | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Attempt]:
    """The attempts a class's teacher may see, filtered; dates are UTC days, ends included.

    Only attempts a student started while a member: joining shares what you play from then
    on, not your past, and leaving stops the sharing but keeps what was shared. (One
    filter() call: the three conditions hold for the same membership.)
    """
    attempts = Attempt.objects.filter(
        Q(user__memberships__left_at__isnull=True) | Q(started_at__lt=F("user__memberships__left_at")),
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
    """Every membership of the class (former members' too) with its attempts, average
    percentage and last play. One query.

    The same filters as :func:`class_attempts`. The average is over finished attempts of
    the Quiz, Challenge and Live game modes: reviews of one's mistakes are practice, and
    replays of seen questions count for nothing.
    """
    played = Q(student__attempts__started_at__gte=F("joined_at")) & (
        Q(left_at__isnull=True) | Q(student__attempts__started_at__lt=F("left_at"))
    )
    if quiz is not None:
        played &= Q(student__attempts__quiz=quiz)
    if since is not None:
        played &= Q(student__attempts__started_at__gte=start_of_day(since))
    if until is not None:
        played &= Q(student__attempts__started_at__lt=start_of_day(until + dt.timedelta(days=1)))
    finished = played & Q(
        student__attempts__finished_at__isnull=False,
        student__attempts__length__gt=0,
        student__attempts__mode__in=(Attempt.Mode.NORMAL, Attempt.Mode.CHALLENGE, Attempt.Mode.LIVE),
    )
    return (
        Membership.objects.filter(classroom=classroom)
        .select_related("student")
        .annotate(
            attempt_count=Count("student__attempts", filter=played),
            average=Avg(percent("student__attempts__score", "student__attempts__length"), filter=finished),
            last_played=Max("student__attempts__started_at", filter=played),
        )
        .order_by("student__username", "joined_at")
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
    can be asked in several orders, so there may be more than one), ``right_matches`` the
    right pairs of each matching question.
    """

    label: str
    kind: str
    answered: int = 0
    correct: int = 0
    options: list[OptionShare] = field(default_factory=list)
    right_orders: list[tuple[str, ...]] = field(default_factory=list)
    right_matches: list[str] = field(default_factory=list)

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
            "form",
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
    matches: dict[tuple[str, int], set[str]] = {}
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
        if row["form"] == Item.Form.MATCH:  # no single option to count: the pairs are listed
            matches.setdefault(key, set()).add(pairs_text(row["options"], row["correct"]))
            continue
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
        stat.right_matches = sorted(matches.get(key, ()))
    return sorted(stats.values(), key=lambda s: (s.correct / s.answered, s.label))
