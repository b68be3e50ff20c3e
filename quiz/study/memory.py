"""Memory cards: scheduling reviews with FSRS, the rating rule, counts and progress.

Time is always a parameter (``now``, an aware datetime); nothing here reads the clock.

The rating rule (what an answer tells the model):

- a wrong answer is **Again**;
- a right true/false answer is **Hard**: a coin toss is right half the time, so it is
  weaker evidence of recall than picking one of four options or typing the answer;
- any other right answer (multiple choice, which-came-first, ordering, typed) is **Good**.

Every fact behind an answered item is reviewed: a generated question has one fact, a
timeline question the facts of its events, a teacher's question the facts it is tied to.

The scheduler runs without FSRS's short learning steps (minutes apart, made for flash-card
apps that repeat a card within one sitting): every review is scheduled in whole days, so
a fact answered right today comes back in a few days, and one answered wrong comes back
tomorrow (a new fact by its tiny first stability, a known one by one relearning step of a
day).
Fuzzing is off, so a schedule is repeatable (tests walk days forward and expect it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db import connections, models, router, transaction
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Subquery
from django.urls import reverse
from fsrs import Card, Rating, Scheduler, State

from content.models import Fact
from quiz.study.models import DEFAULT_RETENTION, MemoryCard, ReviewLog, StudySettings, player_key

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Field

TRUE_FALSE = "true_false"
#: A fact the player got wrong comes back the next day (then FSRS's interval again).
RELEARN_AFTER = dt.timedelta(days=1)


class PlayerLike(Protocol):
    """What identifies a player (``quiz.models.Player`` and ``Attempt`` both have these)."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def session_key(self) -> str: ...


def key_of(player: PlayerLike) -> str:
    return player_key(player.user_id, player.session_key)


def utc(moment: dt.datetime) -> dt.datetime:
    """The same instant with ``datetime.UTC`` as its tzinfo, which fsrs insists on."""
    if moment.tzinfo is None:
        raise ValueError("study times must be timezone-aware")
    return moment.astimezone(dt.UTC)


@lru_cache(maxsize=64)
def scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    return Scheduler(
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(RELEARN_AFTER,),
        enable_fuzzing=False,
    )


def rating_for(form: str, correct: bool) -> Rating:
    """The rule above: wrong → Again, right true/false → Hard, any other right answer → Good."""
    if not correct:
        return Rating.Again
    return Rating.Hard if form == TRUE_FALSE else Rating.Good


def to_fsrs(card: MemoryCard) -> Card:
    return Card(
        card_id=card.pk or 0,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=utc(card.last_review) if card.last_review else None,
    )


def retrievability(card: MemoryCard, now: dt.datetime) -> float:
    """The chance the player recalls the fact at ``now`` (0 for a card never reviewed)."""
    return float(scheduler().get_card_retrievability(to_fsrs(card), utc(now)))


_CARD_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
_UPSERT_FIELDS = ("player", "user_id", "fact_id", *_CARD_COLUMNS, "last_form", "introduced_at")
_LOG_FIELDS = (
    *("player", "user_id", "fact_id", "rating", "form", "reviewed_at"),
    *("state", "stability", "difficulty", "due"),
)


@lru_cache(maxsize=1)
def _review_statements() -> tuple[str, str, str, str]:
    """The three statements of :func:`record_review`, written once.

    Every answer on an item with facts runs them inside its write transaction. Built with
    the ORM (a FilteredRelation read, a bulk upsert and a bulk insert) they cost about
    22 ms per answer on a loaded 2-core machine, half of the whole answer; written out,
    2.4 ms (pyinstrument over the same 100 in-process answers, 2026-11-30; the whole answer
    went from 45 to 14 ms). The read goes through ``MemoryCard.objects.raw``,
    so its values are converted as the ORM converts them; the writes send values through
    each field's ``get_db_prep_value``. The SQL (``ON CONFLICT … DO UPDATE``) is the same
    on SQLite and PostgreSQL.
    """
    card, log, fact = MemoryCard._meta.db_table, ReviewLog._meta.db_table, Fact._meta.db_table
    settings_table = StudySettings._meta.db_table
    card_columns = [_column(MemoryCard, name) for name in _UPSERT_FIELDS]
    log_columns = [_column(ReviewLog, name) for name in _LOG_FIELDS]
    select = (
        f"SELECT c.*, f.id AS fact_ref, "
        f"(SELECT s.desired_retention FROM {settings_table} s WHERE s.user_id = %s) AS retention "
        f"FROM {fact} f LEFT JOIN {card} c ON c.fact_id = f.id AND c.player = %s "
        "WHERE f.id IN ({ids}) ORDER BY f.id"
    )
    updated = [*_CARD_COLUMNS, "last_form", "user_id"]
    upsert = (
        f"INSERT INTO {card} ({', '.join(card_columns)}) VALUES ({', '.join(['%s'] * len(card_columns))}) "
        f"ON CONFLICT (player, fact_id) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in (_column(MemoryCard, n) for n in updated))
    )
    insert_logs = (
        f"INSERT INTO {log} ({', '.join(log_columns)}) VALUES ({', '.join(['%s'] * len(log_columns))})"
    )
    # The same upsert, changing a card only if it is still as it was read (its review count):
    # for :func:`catch_up`, which schedules before it takes the write lock.
    guarded = f"{upsert} WHERE {card}.{_column(MemoryCard, 'reps')} = %s"
    return select, upsert, insert_logs, guarded


def _column(model: type[models.Model], name: str) -> str:
    return str(cast("Field[Any, Any]", model._meta.get_field(name)).column)


def _values(obj: models.Model, names: Iterable[str], connection: BaseDatabaseWrapper) -> list[Any]:
    """The row's values as the database takes them (each field's ``get_db_prep_value``)."""
    return [
        cast("Field[Any, Any]", obj._meta.get_field(name)).get_db_prep_value(getattr(obj, name), connection)
        for name in names
    ]


@dataclass(frozen=True)
class Review:
    """One answer as the cards take it in: the facts behind it, how it went, and when."""

    fact_ids: tuple[int, ...]
    rating: Rating
    at: dt.datetime
    form: str = ""


def record_review(
    player: PlayerLike, facts: Iterable[Fact | int], rating: Rating | int, now: dt.datetime, *, form: str = ""
) -> int:
    """Review the player's card of each fact with ``rating`` at ``now``; how many were reviewed.

    One answer's worth of :func:`apply_reviews` (which see).
    """
    ids = tuple(fact.pk if isinstance(fact, Fact) else int(fact) for fact in facts)
    return apply_reviews(player, [Review(ids, Rating(rating), now, form)])


@dataclass
class _Plan:
    """Cards scheduled after a batch of reviews, not written yet: the rows of the upsert
    (each with the review count its card had when read) and of the review log."""

    cards: list[MemoryCard]
    read_reps: list[int]
    logs: list[ReviewLog]


def apply_reviews(player: PlayerLike, reviews: Iterable[Review]) -> int:
    """Apply ``reviews`` to the player's cards, oldest first; how many card reviews that made.

    Three statements whatever the number of reviews and facts: one SELECT (the facts that
    still exist, each with the player's card if any, and the player's desired retention),
    one upsert of the cards as the last review left them (``INSERT … ON CONFLICT (player,
    fact) DO UPDATE``) and one INSERT of a log row per card review. Each review is scheduled
    at its own time, so a batch gives the cards :func:`catch_up` builds the same states
    as reviewing each answer when it was given; a review older than its card's last review
    (answers of an anonymous session merged into an account's newer cards) counts as given
    at that last review. Nothing when there are no facts or the player has no identity.
    """
    plan = _schedule(player, reviews)
    if plan is None:
        return 0
    connection = connections[router.db_for_write(MemoryCard)]
    with transaction.atomic(using=connection.alias, savepoint=False):
        _write(plan, connection, guarded=False)
    return len(plan.logs)


def _schedule(player: PlayerLike, reviews: Iterable[Review]) -> _Plan | None:
    """Read the cards ``reviews`` touch and schedule them (one SELECT); None if nothing to do."""
    key = key_of(player)
    ordered = sorted(reviews, key=lambda review: review.at)
    ids = sorted({fact_id for review in ordered for fact_id in review.fact_ids})
    if not key or not ids:
        return None
    connection = connections[router.db_for_write(MemoryCard)]
    select = _review_statements()[0]
    placeholders = ", ".join(["%s"] * len(ids))
    rows = MemoryCard.objects.raw(
        select.replace("{ids}", placeholders), [player.user_id, key, *ids], using=connection.alias
    )
    cards: dict[int, MemoryCard] = {}
    read_reps: dict[int, int] = {}
    retention = DEFAULT_RETENTION
    for row in rows:
        retention = getattr(row, "retention", None) or DEFAULT_RETENTION
        fact_id = int(getattr(row, "fact_ref"))  # noqa: B009  # a column the raw SELECT adds
        cards[fact_id] = row if row.pk is not None else MemoryCard(player=key, fact_id=fact_id)
        read_reps[fact_id] = cards[fact_id].reps
    schedule = scheduler(retention)
    logs: list[ReviewLog] = []
    reviewed: dict[int, MemoryCard] = {}
    for review in ordered:
        for fact_id in review.fact_ids:
            card = cards.get(fact_id)
            if card is None:  # the fact was deleted since
                continue
            logs.append(_review(schedule, card, key, player.user_id, review))
            reviewed[fact_id] = card
    if not logs:
        return None
    return _Plan(list(reviewed.values()), [read_reps[pk] for pk in reviewed], logs)


def _write(plan: _Plan, connection: BaseDatabaseWrapper, *, guarded: bool) -> bool:
    """Write ``plan`` (inside the caller's transaction). Guarded, a card changed since it was
    read is left alone, and the answer is False: the caller rolls back and schedules again."""
    _, upsert, insert_logs, guarded_upsert = _review_statements()
    with connection.cursor() as cursor:
        if guarded:
            cursor.executemany(
                guarded_upsert,
                [
                    [*_values(card, _UPSERT_FIELDS, connection), reps]
                    for card, reps in zip(plan.cards, plan.read_reps, strict=True)
                ],
            )
            if cursor.rowcount != len(plan.cards):
                return False
        else:
            cursor.executemany(upsert, [_values(card, _UPSERT_FIELDS, connection) for card in plan.cards])
        cursor.executemany(insert_logs, [_values(log, _LOG_FIELDS, connection) for log in plan.logs])
    return True


def _review(
    schedule: Scheduler, card: MemoryCard, key: str, user_id: int | None, review: Review
) -> ReviewLog:
    """Schedule ``card`` after ``review`` (in place); the log row that records it."""
    at, rating = utc(review.at), review.rating
    if card.pk is None and card.last_review is None:  # never met: a new card, met now
        card.introduced_at = card.due = at
    if card.last_review is not None:
        at = max(at, utc(card.last_review))
    was_review = card.last_review is not None and card.state == MemoryCard.State.REVIEW
    after, _ = schedule.review_card(to_fsrs(card), rating, at)
    card.user_id = user_id
    card.state, card.step = after.state.value, after.step
    card.stability, card.difficulty = after.stability, after.difficulty
    card.due, card.last_review, card.last_form = after.due, at, review.form
    card.reps += 1
    card.lapses += int(was_review and rating == Rating.Again)
    return ReviewLog(
        player=key,
        user_id=user_id,
        fact_id=card.fact_id,
        rating=rating.value,
        form=review.form,
        reviewed_at=at,
        state=card.state,
        stability=after.stability or 0.0,
        difficulty=after.difficulty or 0.0,
        due=card.due,
    )


def catch_up(player: PlayerLike, now: dt.datetime) -> int:
    """Take the player's answers the cards have not taken in yet into their cards; how many.

    Answering a quiz question stores the answer and nothing more (``Item.cards_updated``
    stays False): the cards are brought up to date in one batch when an attempt finishes
    (:func:`quiz.play.answers.record_answer`) and before any page reads them (the study
    pages, the log-in that merges an anonymous session's cards). Taking the cards' review
    out of each answer's request made answering 1.5 × faster in ``make bench`` (answer
    throughput 525 → 805 req/s with no card work at all, 2026-11-30); batched, one
    attempt's answers cost three statements instead of three per answer.

    Race-free: the answers are flagged by a conditional UPDATE that must take every one of
    them, and each card is written only if its review count is the one scheduled from, in
    one transaction; if another request got there first, it is rolled back and done again
    with the pending answers read under a row lock (PostgreSQL) or SQLite's write lock. So
    two requests catching up at once take each answer in once (tested with six threads).
    One SELECT when nothing is pending (on the partial index ``item_cards_pending``).
    """
    from quiz.models import Attempt, Item, Player  # quiz.models imports this app's models

    if not key_of(player):
        return 0
    owner = Player(user_id=player.user_id, session_key=player.session_key)
    # An assignment that hides its answers until the due date hides them from the cards too
    # (their due dates would tell right from wrong): its answers wait, and the first catch-up
    # after the due date takes them in at the times they were given.
    attempts = Attempt.objects.owned_by(owner).exclude(answers_hidden_until__gt=now)
    pending = Item.objects.filter(attempt__in=attempts, answered_at__isnull=False, cards_updated=False)
    fields = ("pk", "form", "is_correct", "answered_at", "fact_ids")
    rows = list(pending.values_list(*fields))
    if not rows:
        return 0
    # Scheduled before the write lock is taken (SQLite has one for the whole database, and
    # every student's answer waits for it): under the lock only the flags and the rows are
    # written, and only if nobody took these answers or changed these cards meanwhile. A
    # finishing answer of a 40-question quiz held the lock for ~5 ms scheduling in it; its
    # answers waited on SQLite's busy handler, which sleeps in steps (make bench, SQLite:
    # answer/bare 0.16 scheduling under the lock, 0.19 with no catch-up at all).
    plan = _schedule(player, _reviews(rows))
    connection = connections[router.db_for_write(Item)]
    with transaction.atomic(using=connection.alias):
        taken = Item.objects.filter(pk__in=[row[0] for row in rows], cards_updated=False).update(
            cards_updated=True
        )
        if taken == len(rows) and (plan is None or _write(plan, connection, guarded=True)):
            return len(plan.logs) if plan is not None else 0
        transaction.set_rollback(True, using=connection.alias)
    # Another request took some of these answers, or reviewed these cards, meanwhile: read
    # again under the lock (a row lock on PostgreSQL) and schedule there.
    with transaction.atomic(using=connection.alias):
        rows = list(pending.select_for_update().values_list(*fields))
        if not rows:
            return 0
        Item.objects.filter(pk__in=[row[0] for row in rows]).update(cards_updated=True)
        return apply_reviews(player, _reviews(rows))


def _reviews(rows: Iterable[tuple[Any, ...]]) -> list[Review]:
    """Pending answers as reviews: ``(pk, form, is_correct, answered_at, fact_ids)`` rows."""
    return [
        Review(tuple(int(pk) for pk in fact_ids or ()), rating_for(form, bool(correct)), at, form)
        for _, form, correct, at, fact_ids in rows
        if at is not None  # always: the query asks for answered items
    ]


def due_count(player: PlayerLike, now: dt.datetime) -> int:
    """How many of the player's facts are due at ``now``: one COUNT on the (player, due) index."""
    key = key_of(player)
    if not key:
        return 0
    return MemoryCard.objects.filter(player=key, due__lte=now).count()


def claim_anonymous_cards(user: User, session_key: str | None) -> int:
    """Move the cards (and review logs) of an anonymous session to ``user``; how many moved.

    Where both already have a card for a fact, the one reviewed last wins.
    """
    if not session_key:  # never match every anonymous card
        return 0
    anonymous, mine = player_key(None, session_key), player_key(user.pk, "")
    theirs = MemoryCard.objects.filter(player=anonymous)
    if not theirs.exists():
        return 0
    same_fact = MemoryCard.objects.filter(fact_id=OuterRef("fact_id"))
    theirs.filter(Exists(same_fact.filter(player=mine, last_review__gte=OuterRef("last_review")))).delete()
    MemoryCard.objects.filter(player=mine).filter(Exists(same_fact.filter(player=anonymous))).delete()
    ReviewLog.objects.filter(player=anonymous).update(player=mine, user=user)
    return MemoryCard.objects.filter(player=anonymous).update(player=mine, user=user)


def settings_for(user_id: int | None) -> StudySettings:
    """The player's settings, or the defaults (not saved) for anonymous players and newcomers."""
    if user_id is not None:
        found = StudySettings.objects.filter(user_id=user_id).first()
        if found is not None:
            return found
    return StudySettings(user_id=user_id) if user_id is not None else StudySettings()


# What the player knows, where they read it ------------------------------------


@dataclass(frozen=True)
class PassageCounts:
    """How many of a passage's facts the player knows, has due, or has never met."""

    total: int
    met: int
    due: int

    @property
    def known(self) -> int:
        return self.met - self.due

    @property
    def never_met(self) -> int:
        return self.total - self.met


def passage_counts(player: PlayerLike, topic_id: int, now: dt.datetime) -> dict[int, PassageCounts]:
    """Per section of the topic (by pk): facts known, due, never met. One grouped query."""
    key = key_of(player) or "-"  # "-" matches no card: everything is never met
    rows = (
        Fact.objects.filter(topic_id=topic_id, section__isnull=False)
        .annotate(card=FilteredRelation("memory_cards", condition=Q(memory_cards__player=key)))
        .values("section_id")
        .annotate(
            total=Count("pk"),
            met=Count("card__id"),
            due=Count("card__id", filter=Q(card__due__lte=now)),
        )
        .order_by()
    )
    return {row["section_id"]: PassageCounts(row["total"], row["met"], row["due"]) for row in rows}


@dataclass(frozen=True)
class Recall:
    """The player's likely recall today of the facts they met in one passage or tag."""

    kind: str  # "passage" or "tag"
    pk: int
    label: str
    url: str
    facts: int
    recall: float  # mean retrievability, 0..1

    @property
    def percent(self) -> int:
        return round(self.recall * 100)


@dataclass(frozen=True)
class Progress:
    passages: list[Recall]
    tags: list[Recall]

    @property
    def weakest(self) -> Recall | None:
        rows = self.passages + self.tags
        return min(rows, key=lambda r: (r.recall, -r.facts, r.kind, r.label)) if rows else None


def progress(player: PlayerLike, now: dt.datetime) -> Progress:
    """Per passage and per tag, the mean retrievability at ``now`` of the facts met. Two queries."""
    key = key_of(player)
    if not key:
        return Progress([], [])
    cards = list(
        MemoryCard.objects.filter(player=key)
        .select_related("fact__section__topic")
        .only(
            "fact_id",
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "fact__section__slug",
            "fact__section__context",
            "fact__section__topic__slug",
            "fact__section__topic__title",
        )
    )
    recall = {card.fact_id: retrievability(card, now) for card in cards}
    by_passage: dict[int, list[float]] = {}
    passages: dict[int, tuple[str, str]] = {}
    for card in cards:
        section = card.fact.section
        if section is not None:
            by_passage.setdefault(section.pk, []).append(recall[card.fact_id])
            label = section.context[:1].upper() + section.context[1:]
            passages[section.pk] = (label, section.get_absolute_url())
    by_tag: dict[int, list[float]] = {}
    tags: dict[int, tuple[str, str]] = {}
    through = Fact.tags.through.objects.filter(
        fact_id__in=Subquery(MemoryCard.objects.filter(player=key).values("fact_id"))
    )
    for fact_id, tag_id, name, slug in through.values_list("fact_id", "tag_id", "tag__name", "tag__slug"):
        if fact_id in recall:
            by_tag.setdefault(tag_id, []).append(recall[fact_id])
            tags[tag_id] = (name, reverse("tag_detail", args=[slug]))

    def rows(kind: str, values: dict[int, list[float]], labels: dict[int, tuple[str, str]]) -> list[Recall]:
        out = [
            Recall(kind, pk, labels[pk][0], labels[pk][1], len(v), sum(v) / len(v))
            for pk, v in values.items()
        ]
        return sorted(out, key=lambda r: (r.recall, r.label))

    return Progress(rows("passage", by_passage, passages), rows("tag", by_tag, tags))
