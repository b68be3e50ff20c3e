"""Starting an attempt, and finding the item a page is about.

An attempt snapshots every question when it starts (:class:`quiz.models.Item`), so later
edits never change it. A quiz, a challenge (the same questions as a friend's finished
attempt) and a review of one's mistakes all start here. Who owns an attempt is part of
every query (``Attempt.objects.owned_by(player)``).
"""

from __future__ import annotations

import functools
import random
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

from content.models import Tag
from quiz import generation
from quiz.models import Attempt, Item, Player, Question, Quiz

if TYPE_CHECKING:
    from django.db.models import Field, Model

    from quiz.generation import GeneratedQuestion

#: Every question page and every answer reads its item with these: all of an item but the
#: links to where it came from (for results and reviews), its attempt and quiz.
_ITEM_DEFERRED = ("fact_id", "question_id", "question_version", "tag_slugs", "section_slug")
#: user_id and session_key too: the answer reviews the item's facts for the attempt's player.
_ATTEMPT_FIELDS = (
    *("id", "quiz_id", "mode", "length", "score", "answered_count", "deadline", "finished_at"),
    *("user_id", "session_key", "answers_hidden_until"),
)


@functools.cache
def _item_read(vendor: str) -> tuple[str, list[tuple[type[Model], list[Field[Any, Any]]]]]:
    """The SELECT behind :func:`owned_item`, written once per database vendor, and the
    fields it loads per model (item, attempt, quiz), in column order.

    Every question page and every answer starts with this read. Built by the ORM it cost
    about 2.6–4.1 ms of CPU per answer on a loaded 2-core machine (compiling a filter on a
    subquery with a select_related and an only()), against 0.12–0.21 ms for this SQL
    (make bench's in-process breakdown, 2026-11-30), so it is written out here, next to
    the attempts it reads; the rows go through each field's converters as the ORM's do.
    """
    del vendor  # the key: a project with two database vendors gets one string each
    item_fields: list[Field[Any, Any]] = [
        f for f in Item._meta.concrete_fields if f.attname not in _ITEM_DEFERRED
    ]
    # In the models' own field order: Model.from_db fills a partial row by it.
    attempt_fields = [f for f in Attempt._meta.concrete_fields if f.attname in _ATTEMPT_FIELDS]
    quiz_fields = [f for f in Quiz._meta.concrete_fields if f.attname in ("id", "title")]
    tables: list[tuple[type[Model], str, list[Field[Any, Any]]]] = [
        (Item, "i", item_fields),
        (Attempt, "a", attempt_fields),
        (Quiz, "q", quiz_fields),
    ]
    columns = ", ".join(f"{alias}.{field.column}" for _, alias, fields in tables for field in fields)
    sql = (
        f"SELECT {columns} FROM {Item._meta.db_table} i "
        f"JOIN {Attempt._meta.db_table} a ON a.id = i.attempt_id "
        f"JOIN {Quiz._meta.db_table} q ON q.id = a.quiz_id "
        "WHERE i.attempt_id = %s AND i.position = %s AND {owner}"
    )
    return sql, [(model, fields) for model, _, fields in tables]


def owned_item(player: Player, attempt_id: Any, position: int) -> Item | None:
    """Item ``position`` of the player's attempt ``attempt_id``, with its attempt and quiz.

    None when there is no such item or the attempt is not the player's (the ownership test
    is part of the query, as ``Attempt.objects.owned_by`` words it): one SELECT.
    """
    try:
        attempt_key = Attempt._meta.pk.to_python(attempt_id)
    except ValidationError:
        return None
    if not 0 < position <= 32767:  # a URL may carry any number; the column is a small int
        return None
    owner_value: int | str
    if player.user_id is not None:
        owner, owner_value = "a.user_id = %s", player.user_id
    elif player.session_key:
        owner, owner_value = "a.user_id IS NULL AND a.session_key = %s", player.session_key
    else:
        return None
    connection = connections[router.db_for_read(Item)]
    sql, tables = _item_read(connection.vendor)
    params = [Attempt._meta.pk.get_db_prep_value(attempt_key, connection), position, owner_value]
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{owner}", owner), params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    loaded: list[Any] = []
    for model, fields in tables:
        converted = []
        for field in fields:
            value = next(values)
            col = field.get_col(model._meta.db_table)
            for convert in connection.ops.get_db_converters(col) + field.get_db_converters(connection):
                value = convert(value, col, connection)
            converted.append(value)
        loaded.append(model.from_db(connection.alias, [f.attname for f in fields], converted))
    item, attempt, quiz = loaded
    attempt.quiz = quiz
    item.attempt = attempt
    return cast("Item", item)


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
        question_version=question.question_version,
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
        **({"question_set": challenge_of.question_set} if challenge_of is not None else {}),
    )
    for position, item in enumerate(items, start=1):
        item.attempt = attempt
        item.position = position
    Item.objects.bulk_create(items)
    return attempt


def start_attempt(quiz: Quiz, *, length: int, player: Player, tag: Tag | None = None) -> Attempt:
    """Generate ``length`` questions (fewer if the bank is small) and snapshot them."""
    seed = new_seed()
    if quiz.hand_picked:
        from quiz.assignments.picks import picked_questions

        questions = picked_questions(quiz, seed)[:length]
    else:
        seen = generation.seen_fact_ids(player.user_id, quiz.topic_id) if player.user_id else []
        questions = generation.build_quiz(quiz, length=length, seed=seed, tag=tag, prefer_unseen=seen)
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
    "question_version",
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


def already_played(original: Attempt, player: Player) -> Attempt | None:
    """The player's first attempt on the questions of ``original``, if they have one.

    A challenge link copies questions whose answers the results page shows, so nobody may
    replay a set they have seen: not their own attempt, not a challenge of a challenge of
    it, not a second go at a friend's link. Every attempt along a chain of challenges
    shares its ``question_set``, so this is one indexed query however long the chain.
    """
    return (
        Attempt.objects.owned_by(player)
        .filter(question_set=original.question_set)
        .order_by("started_at", "pk")
        .first()
    )


def start_review(attempt: Attempt, *, player: Player) -> Attempt:
    """A new attempt on what the player missed: one fresh question per missed item.

    The items are :meth:`Attempt.items_to_review` (teacher questions unpublished since are
    left out), so the count on the "Review my mistakes (N)" button is the count asked.
    A missed teacher question is asked again from that question. A missed generated item is
    asked again from one of its facts (an ordering item stands on several: one of those
    not used yet by another item of the review). Where no fresh question can be built (a
    fact edited since, say), the item is asked again as it was, options reshuffled.
    """
    missed = list(attempt.items_to_review().values("question_id", *_SNAPSHOT_FIELDS))
    seed = new_seed()
    rng = random.Random(seed)
    written = {
        question.pk: question
        for question in Question.objects.published()
        .filter(pk__in={row["question_id"] for row in missed if row["question_id"]})
        .select_related("section__topic")
        .prefetch_related("choices", "tags", "facts__citations__source")
    }
    fact_ids = list(
        dict.fromkeys(pk for row in missed if not row["question_id"] for pk in row["fact_ids"] or [])
    )
    by_fact = {q.fact_ids[0]: q for q in generation.questions_for_facts(fact_ids, seed=seed) if q.fact_ids}
    # Each generated item gets one of its facts, no fact twice: items with fewer facts to
    # choose from choose first, so a one-fact item keeps its fact from an ordering item.
    picked: dict[int, int] = {}
    used: set[int] = set()
    generated_rows = [i for i, row in enumerate(missed) if row["question_id"] not in written]
    for index in sorted(generated_rows, key=lambda i: len(missed[i]["fact_ids"] or [])):
        candidates = [pk for pk in missed[index]["fact_ids"] or [] if pk in by_fact and pk not in used]
        if candidates:
            picked[index] = rng.choice(candidates)
            used.add(picked[index])
    items: list[Item] = []
    for index, row in enumerate(missed):
        question: GeneratedQuestion | None = None
        if row["question_id"] in written:
            try:
                question = generation.question_from_written(written[row["question_id"]], rng)
            except generation.NotAskable:  # the teacher has since broken it
                question = None
        elif index in picked:
            question = by_fact[picked[index]]
        position = len(items) + 1
        items.append(item_from(question, position) if question else _reshuffled(row, position, rng))
    return create_attempt(
        attempt.quiz, items, player=player, seed=seed, mode=Attempt.Mode.REVIEW, tag=attempt.tag
    )


def _reshuffled(row: dict[str, Any], position: int, rng: random.Random) -> Item:
    """A copy of a missed item's snapshot with its options in a new order."""
    item = Item(position=position, **{name: row[name] for name in _SNAPSHOT_FIELDS})
    if item.form == Item.Form.MATCH:
        return _rematched(item, rng)
    order = list(range(len(item.options)))
    rng.shuffle(order)
    item.options = [row["options"][i] for i in order]
    notes = list(row["notes"] or [])
    if len(notes) == len(order):
        item.notes = [notes[i] for i in order]
    new_index = {old: new for new, old in enumerate(order)}
    correct = row["correct"]
    item.correct = [new_index[i] for i in correct] if isinstance(correct, list) else new_index[correct]
    return item


def _rematched(item: Item, rng: random.Random) -> Item:
    """A matching item with its left-hand items and its values each in a new order of their own."""
    options, notes, key = list(item.options), list(item.notes or []), list(item.correct)
    n = len(options) // 2
    lefts, rights = list(range(n)), list(range(n))
    rng.shuffle(lefts)
    rng.shuffle(rights)
    place = {n + old: n + new for new, old in enumerate(rights)}
    item.options = [options[i] for i in lefts] + [options[n + j] for j in rights]
    if len(notes) == 2 * n:
        item.notes = [notes[i] for i in lefts] + [notes[n + j] for j in rights]
    item.correct = [place[key[i]] for i in lefts]
    if len(item.fact_ids or []) == n:
        item.fact_ids = [item.fact_ids[i] for i in lefts]
        item.fact_id = item.fact_ids[0]
    return item
