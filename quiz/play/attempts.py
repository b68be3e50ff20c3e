"""Starting an attempt, and finding the item a page is about.

An attempt snapshots every question when it starts (:class:`quiz.models.Item`), so later
edits never change it. A quiz, a challenge (the same questions as a friend's finished
attempt) and a review of one's mistakes all start here. Who owns an attempt is part of
every query (``Attempt.objects.owned_by(player)``).
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from content.models import Tag
from quiz import generation
from quiz.models import Attempt, Item, Player, Question, Quiz

if TYPE_CHECKING:
    from quiz.generation import GeneratedQuestion

#: Every question page and every answer reads its item with these: all of an item but the
#: links to where it came from (for results and reviews), its attempt and quiz.
_ITEM_DEFERRED = ("fact_id", "question_id", "tag_slugs", "section_slug")
#: user_id and session_key too: the answer reviews the item's facts for the attempt's player.
_ATTEMPT_FIELDS = (
    *("quiz_id", "mode", "length", "score", "answered_count", "deadline", "finished_at"),
    *("user_id", "session_key"),
)


def owned_item(player: Player, attempt_id: Any, position: int) -> Item | None:
    """Item ``position`` of the player's attempt ``attempt_id``, with its attempt and quiz.

    None when there is no such item or the attempt is not the player's (the ownership test
    is part of the query): one SELECT.
    """
    try:
        attempt_key = Attempt._meta.pk.to_python(attempt_id)
    except ValidationError:
        return None
    if not 0 < position <= 32767:  # a URL may carry any number; the column is a small int
        return None
    return (
        Item.objects.filter(
            attempt__in=Attempt.objects.owned_by(player).filter(pk=attempt_key).values("pk"),
            position=position,
        )
        .select_related("attempt__quiz")
        .defer(*_ITEM_DEFERRED)
        .only(
            *(f.attname for f in Item._meta.concrete_fields if f.attname not in _ITEM_DEFERRED),
            *(f"attempt__{name}" for name in _ATTEMPT_FIELDS),
            "attempt__quiz__title",
        )
        .first()
    )


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
