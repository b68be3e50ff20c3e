"""The life of an attempt, as plain functions: start, serve, answer, finish.

Decisions written down here:

- Who owns an attempt is part of every query (:func:`owned_attempts`): a signed-in
  player owns ``user=<them>``; an anonymous player owns ``user=None`` with their session
  key. Anything else is "not found", never "forbidden", so attempt ids leak nothing.
- Items are answered in order, so the answered items are always the prefix
  ``1..answered_count``: the current question is ``answered_count + 1`` and nothing has
  to be counted to know it.
- An answer is stored by one conditional UPDATE of the item (unanswered, served) and,
  only if that changed a row, one conditional UPDATE of the attempt (not finished, not
  past its deadline) that adds to the score, counts the answer and sets ``finished_at``
  when it was the last one. Both run in one transaction: if the attempt refused (it
  finished meanwhile), the item's update is rolled back. Nothing is read and then
  written back, so a replay, a double click or a second tab cannot count twice.
- The correct answer and the notes never reach a template before the item is answered:
  pages get a :class:`QuestionView`, which has no such fields.
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from config.rows import Select, Table, prep
from content.models import Tag
from quiz import generation
from quiz.models import Attempt, Item, Question, Quiz

if TYPE_CHECKING:
    from django.http import HttpRequest

    from quiz.generation import GeneratedQuestion


@dataclass(frozen=True)
class Player:
    """Who is playing: a user id, or an anonymous session key."""

    user_id: int | None
    session_key: str

    @classmethod
    def of(cls, request: HttpRequest, *, create_session: bool = False) -> Player:
        if request.user.is_authenticated:
            return cls(user_id=request.user.pk, session_key="")
        if create_session and not request.session.session_key:
            # The session middleware only sends the cookie for a modified session.
            request.session["anonymous_player"] = True
            request.session.save()
        return cls(user_id=None, session_key=request.session.session_key or "")


def owned_attempts(player: Player) -> QuerySet[Attempt]:
    """The player's attempts; an anonymous visitor without a session owns none."""
    if player.user_id is not None:
        return Attempt.objects.filter(user_id=player.user_id)
    if not player.session_key:
        return Attempt.objects.none()
    return Attempt.objects.filter(user__isnull=True, session_key=player.session_key)


# Loading the item a page is about ------------------------------------------------

#: What the question card and the answer read: all of an item but the links to where it
#: came from (for results and reviews); a deferred field still loads if something asks.
_ITEM_FIELDS = frozenset(field.attname for field in Item._meta.concrete_fields) - {
    "fact_id",
    "question_id",
    "fact_ids",
    "tag_slugs",
    "section_slug",
}
_ITEM_TABLES = (
    Table(Item, "i", _ITEM_FIELDS),
    Table(
        Attempt,
        "a",
        frozenset({"id", "quiz_id", "mode", "length", "score", "answered_count", "deadline", "finished_at"}),
        on="a.id = i.attempt_id",
    ),
    Table(Quiz, "q", frozenset({"id", "title"}), on="q.id = a.quiz_id"),
)
_ITEM_OF_USER = Select(*_ITEM_TABLES, where="i.attempt_id = %s AND i.position = %s AND a.user_id = %s")
_ITEM_OF_SESSION = Select(
    *_ITEM_TABLES, where="i.attempt_id = %s AND i.position = %s AND a.user_id IS NULL AND a.session_key = %s"
)


def owned_item(player: Player, attempt_id: Any, position: int) -> Item | None:
    """Item ``position`` of the player's attempt ``attempt_id``, with its attempt and quiz.

    None when there is no such item or the attempt is not the player's (see
    :func:`owned_attempts`; the ownership test is part of the query). Every question page
    and every answer starts here, so this is one SELECT written once (:mod:`config.rows`):
    the same query built with the ORM cost about 1 ms of CPU to compile, many times the
    query itself.
    """
    owner: int | str
    if player.user_id is not None:
        select, owner = _ITEM_OF_USER, player.user_id
    elif player.session_key:
        select, owner = _ITEM_OF_SESSION, player.session_key
    else:
        return None
    try:
        attempt_key = Attempt._meta.pk.to_python(attempt_id)
    except ValidationError:
        return None
    connection = connections[router.db_for_read(Item)]
    low, high = connection.ops.integer_field_range(Item._meta.get_field("position").get_internal_type())
    if not low <= position <= high:  # a URL may carry any number; the database would refuse it
        return None
    row = select.one(connection, [prep(Attempt, "id", attempt_key, connection), position, owner])
    if row is None:
        return None
    item, attempt, quiz = cast("tuple[Item, Attempt, Quiz]", row)
    attempt.quiz = quiz
    item.attempt = attempt
    return item


# Starting ---------------------------------------------------------------------


class NoQuestions(Exception):
    """The quiz cannot produce a single question (an empty dossier or tag)."""


def new_seed() -> int:
    return secrets.randbits(31)


def item_from(question: GeneratedQuestion, position: int) -> Item:
    return Item(
        position=position,
        form=question.form,
        stem=question.stem,
        options=list(question.options),
        correct=question.answer,
        explanation=question.explanation,
        notes=list(question.notes),
        fact_id=question.fact_ids[0] if question.fact_ids else None,
        question_id=question.question_id,
        fact_ids=list(question.fact_ids),
        passage_url=question.passage_url,
        passage_title=question.passage_title,
        sources=list(question.sources),
        tag_slugs=list(question.tags),
        section_slug=question.section_slug,
    )


def _deadline(quiz: Quiz) -> datetime | None:
    if quiz.time_limit_seconds:
        return timezone.now() + timedelta(seconds=quiz.time_limit_seconds)
    return None


@transaction.atomic
def create_attempt(
    quiz: Quiz,
    items: list[Item],
    *,
    player: Player,
    seed: int,
    mode: str = Attempt.Mode.NORMAL,
    tag: Tag | None = None,
    challenge_of: Attempt | None = None,
) -> Attempt:
    """The attempt and all its item snapshots, in one transaction (one bulk insert)."""
    if not items:
        raise NoQuestions
    attempt = Attempt.objects.create(
        quiz=quiz,
        user_id=player.user_id,
        session_key=player.session_key if player.user_id is None else "",
        tag=tag,
        mode=mode,
        seed=seed,
        length=len(items),
        deadline=_deadline(quiz),
        challenge_of=challenge_of,
    )
    for position, item in enumerate(items, start=1):
        item.attempt = attempt
        item.position = position
    Item.objects.bulk_create(items)
    return attempt


def start_attempt(quiz: Quiz, *, length: int, player: Player, tag: Tag | None = None) -> Attempt:
    """Generate ``length`` questions (fewer if the bank is small) and snapshot them."""
    seed = new_seed()
    questions = generation.build_quiz(quiz, length=length, seed=seed, tag=tag)
    items = [item_from(question, position) for position, question in enumerate(questions, start=1)]
    return create_attempt(quiz, items, player=player, seed=seed, tag=tag)


_SNAPSHOT_FIELDS = (
    "form",
    "stem",
    "options",
    "correct",
    "explanation",
    "notes",
    "fact_id",
    "question_id",
    "fact_ids",
    "passage_url",
    "passage_title",
    "sources",
    "tag_slugs",
    "section_slug",
)


def start_challenge(original: Attempt, *, player: Player) -> Attempt:
    """The same questions in the same order, copied from the original's snapshots."""
    items = [
        Item(position=row["position"], **{name: row[name] for name in _SNAPSHOT_FIELDS})
        for row in original.items.order_by("position").values("position", *_SNAPSHOT_FIELDS)
    ]
    return create_attempt(
        original.quiz,
        items,
        player=player,
        seed=original.seed,
        mode=Attempt.Mode.CHALLENGE,
        tag=original.tag,
        challenge_of=original,
    )


CHALLENGE_DEPTH = 20


def already_played(original: Attempt, player: Player) -> Attempt | None:
    """The player's earlier attempt on the questions of ``original``, if they have one.

    A challenge link copies questions whose answers the results page shows, so nobody may
    replay a set they have seen: not their own attempt, not a challenge of a challenge of
    it, not a second go at a friend's link. The chain of ``challenge_of`` is short (each
    step is someone sharing a link they played), and bounded here all the same.
    """
    chain = [original.pk]
    parent_id = original.challenge_of_id
    while parent_id and len(chain) < CHALLENGE_DEPTH:
        chain.append(parent_id)
        parent_id = Attempt.objects.filter(pk=parent_id).values_list("challenge_of_id", flat=True).first()
    return (
        owned_attempts(player)
        .filter(Q(pk__in=chain) | Q(challenge_of_id__in=chain))
        .order_by("started_at")
        .first()
    )


def start_review(attempt: Attempt, *, player: Player) -> Attempt:
    """A new attempt on what the player missed: fresh questions on the same facts/questions.

    A missed item from a teacher's question is asked again from that question; a missed
    generated item is asked again from its facts. Items left unanswered (time ran out)
    count as missed.
    """
    missed = attempt.items.exclude(is_correct=True).values_list("question_id", "fact_ids")
    question_ids: list[int] = []
    fact_ids: list[int] = []
    for question_id, ids in missed:
        if question_id:
            question_ids.append(question_id)
        else:
            fact_ids.extend(ids or [])
    seed = new_seed()
    rng = random.Random(seed)
    questions: list[GeneratedQuestion] = []
    if fact_ids:
        questions.extend(generation.questions_for_facts(list(dict.fromkeys(fact_ids)), seed=seed))
    if question_ids:
        written = (
            Question.objects.filter(pk__in=set(question_ids))
            .select_related("section__topic")
            .prefetch_related("choices", "tags", "facts__citations__source")
        )
        for question in written:
            try:
                questions.append(generation.question_from_written(question, rng))
            except generation.NotAskable:  # the teacher has since broken it; skip it
                continue
    items = [item_from(question, position) for position, question in enumerate(questions, start=1)]
    return create_attempt(
        attempt.quiz, items, player=player, seed=seed, mode=Attempt.Mode.REVIEW, tag=attempt.tag
    )


# Serving ----------------------------------------------------------------------


def current_position(attempt: Attempt) -> int | None:
    """The position of the first unanswered item; None when all are answered."""
    position = attempt.answered_count + 1
    return position if position <= attempt.length else None


def mark_served(item: Item) -> None:
    """Record when the player first saw the item (only the first time counts)."""
    if item.served_at is None:
        now = timezone.now()
        Item.objects.filter(pk=item.pk, served_at__isnull=True).update(served_at=now)
        item.served_at = now


def is_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    return attempt.deadline is not None and (now or timezone.now()) >= attempt.deadline


def finish_if_expired(attempt: Attempt) -> bool:
    """Close an attempt whose time is up. True if it is (now) finished."""
    if attempt.finished_at is not None:
        return True
    if not is_expired(attempt):
        return False
    Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(finished_at=attempt.deadline)
    attempt.finished_at = attempt.deadline
    return True


# Answering --------------------------------------------------------------------


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


def parse_choice(form: str, option_count: int, data: Any) -> int | list[int]:
    """The player's answer from POST data, checked against the item's options.

    Choice forms post ``choice=<option index>``. The order form posts ``place_<i>=<n>``:
    the place (1..N) the player gives option ``i``; it becomes the list of option indexes
    from first to last, the shape of ``Item.correct``, and must be a permutation.
    """
    if form != Item.Form.ORDER:
        return _index(data.get("choice"), option_count)
    order: list[int | None] = [None] * option_count
    for option in range(option_count):
        place = _index(data.get(f"place_{option}", ""), option_count + 1)
        if place == 0 or order[place - 1] is not None:
            raise InvalidAnswer(f"Give each event a different place, from 1 to {option_count}.")
        order[place - 1] = option
    return [index for index in order if index is not None]


def _answer_statements() -> tuple[str, str]:
    """The two conditional UPDATEs of :func:`record_answer`, as SQL written once.

    They are the hot path of the whole app (every answer runs both inside the write
    transaction), and building them with ``QuerySet.update`` cost more CPU than everything
    else the answer does; written out, SQLite's write lock is also held for less time. The
    SQL is plain enough for SQLite and PostgreSQL alike; the values go through each
    field's ``get_db_prep_value`` (:func:`config.rows.prep`), as the ORM would send them.
    SET expressions see the row as it was before the update, so ``answered_count + 1`` is
    the new count.
    """
    item, attempt = Item._meta.db_table, Attempt._meta.db_table
    return (
        f"UPDATE {item} SET answered_at = %s, chosen = %s, is_correct = %s "
        "WHERE id = %s AND attempt_id = %s AND answered_at IS NULL AND served_at IS NOT NULL",
        f"UPDATE {attempt} SET score = score + %s, answered_count = answered_count + 1, "
        "finished_at = CASE WHEN answered_count + 1 >= length THEN %s ELSE NULL END "
        "WHERE id = %s AND finished_at IS NULL AND (deadline IS NULL OR deadline > %s)",
    )


_STORE_ITEM_ANSWER, _COUNT_ANSWER = _answer_statements()


def record_answer(attempt: Attempt, item: Item, chosen: int | list[int]) -> bool:
    """Store the answer once. False if it did not count (already answered, finished, late).

    On success ``item`` and ``attempt`` are updated in memory as the database now has
    them (score, count, finished), so nothing needs to be read again.
    """
    correct = chosen == item.correct
    now = timezone.now()
    connection = connections[router.db_for_write(Item)]
    at = prep(Item, "answered_at", now, connection)
    stored_choice = prep(Item, "chosen", chosen, connection)
    attempt_id = prep(Attempt, "id", attempt.pk, connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(_STORE_ITEM_ANSWER, [at, stored_choice, correct, item.pk, attempt_id])
        if cursor.rowcount != 1:
            return False
        cursor.execute(_COUNT_ANSWER, [int(correct), at, attempt_id, at])
        if cursor.rowcount != 1:
            transaction.set_rollback(True, using=connection.alias)
            return False
    item.answered_at, item.chosen, item.is_correct = now, chosen, correct
    attempt.score += int(correct)
    attempt.answered_count += 1
    if attempt.answered_count >= attempt.length:
        attempt.finished_at = now
    return True


# What templates see -----------------------------------------------------------


@dataclass(frozen=True)
class Option:
    index: int
    text: str
    key: int  # the keyboard shortcut (1-based)


@dataclass(frozen=True)
class QuestionView:
    """An unanswered item as a page may show it: no correct answer, no notes."""

    position: int
    form: str
    stem: str
    options: tuple[Option, ...]

    @property
    def is_order(self) -> bool:
        return self.form == Item.Form.ORDER

    @property
    def places(self) -> range:
        return range(1, len(self.options) + 1)


@dataclass(frozen=True)
class AnsweredOption:
    text: str
    is_correct: bool
    was_chosen: bool
    note: str = ""


@dataclass(frozen=True)
class Feedback:
    """An answered item with everything that explains it."""

    position: int
    form: str
    stem: str
    is_correct: bool
    options: tuple[AnsweredOption, ...]
    chosen_text: str
    correct_text: str
    explanation: str
    chosen_note: str
    passage_url: str
    passage_title: str
    sources: tuple[str, ...]

    @property
    def is_order(self) -> bool:
        return self.form == Item.Form.ORDER

    @property
    def sources_to_list(self) -> tuple[str, ...]:
        """The sources, unless the explanation already names them all (generated ones do)."""
        if all(title in self.explanation for title in self.sources):
            return ()
        return self.sources


def question_view(item: Item) -> QuestionView:
    options = tuple(Option(index=i, text=text, key=i + 1) for i, text in enumerate(item.options))
    return QuestionView(position=item.position, form=item.form, stem=item.stem, options=options)


def _texts(options: list[str], indexes: int | list[int] | None) -> str:
    if indexes is None:
        return ""
    if isinstance(indexes, list):
        return " → ".join(options[i] for i in indexes)
    return options[indexes]


def feedback(item: Item) -> Feedback:
    correct, chosen = item.correct, item.chosen
    if isinstance(correct, list):
        shown = [item.options[i] for i in correct]
        options = tuple(
            AnsweredOption(
                text=text,
                is_correct=isinstance(chosen, list) and chosen[place] == correct[place],
                was_chosen=False,
            )
            for place, text in enumerate(shown)
        )
    else:
        notes = list(item.notes or [])
        notes += [""] * (len(item.options) - len(notes))
        options = tuple(
            AnsweredOption(text=text, is_correct=i == correct, was_chosen=i == chosen, note=notes[i])
            for i, text in enumerate(item.options)
        )
    note = ""
    if isinstance(chosen, int) and chosen != correct:
        note = options[chosen].note
    return Feedback(
        position=item.position,
        form=item.form,
        stem=item.stem,
        is_correct=bool(item.is_correct),
        options=options,
        chosen_text=_texts(item.options, chosen),
        correct_text=_texts(item.options, correct),
        explanation=item.explanation,
        chosen_note=note,
        passage_url=item.passage_url,
        passage_title=item.passage_title,
        sources=tuple(item.sources or ()),
    )
