"""Review sessions and "practise my weakest", started as attempts the play pages already serve.

A review session is an :class:`~quiz.models.Attempt` in the ``study`` mode: the due facts
(earliest due first) and then, up to the player's daily limit, facts they have never met
from the dossiers they study. Each fact is asked in a form other than the one its card
last saw (:data:`FORMS`, in turn), when the fact can be asked that way. Answering goes
through the usual answer path, which stores the answer once and reviews the cards
(:func:`quiz.study.memory.record_review`): two tabs answering the same item review once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

from django.db.models import Exists, OuterRef, Subquery

from content.models import Fact, Section, Tag, Topic
from quiz.generation.bank import Candidate, candidate_pools, load_facts, pool_key
from quiz.generation.questions import FORM, NotAskable, multiple_choice, recall, true_false
from quiz.generation.types import GeneratedQuestion
from quiz.models import Attempt, Player, Quiz
from quiz.play import attempts as play
from quiz.study.memory import Recall, key_of, progress, retrievability, settings_for
from quiz.study.models import MemoryCard

#: Facts asked in one review session.
SESSION_SIZE = 10
#: Questions in a "practise my weakest" quiz.
WEAKEST_LENGTH = 10

Builder = Callable[[Fact, Sequence[Candidate], random.Random], GeneratedQuestion]
#: The forms a fact is asked in, taken in turn: the one after the card's last form first.
FORMS: tuple[tuple[str, Builder], ...] = (
    (FORM.MULTIPLE_CHOICE, lambda fact, pool, rng: multiple_choice(fact, pool, rng)),
    (FORM.TRUE_FALSE, true_false),
    (FORM.RECALL, lambda fact, pool, rng: recall(fact, pool)),
)


def day_start(now: dt.datetime) -> dt.datetime:
    """00:00 UTC of ``now``'s day (the daily limit of new facts counts UTC days)."""
    return dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time.min, tzinfo=dt.UTC)


def due_cards(player: Player, now: dt.datetime, limit: int = SESSION_SIZE) -> list[MemoryCard]:
    """The next session's due cards, earliest first: one range scan of the (player, due) index."""
    key = key_of(player)
    if not key:
        return []
    return list(MemoryCard.objects.filter(player=key, due__lte=now).order_by("due", "pk")[:limit])


def new_allowance(player: Player, now: dt.datetime) -> int:
    """How many new facts the player may still meet today (their daily limit less those met)."""
    key = key_of(player)
    if not key:
        return 0
    limit = settings_for(player.user_id).new_per_day
    met_today = MemoryCard.objects.filter(player=key, introduced_at__gte=day_start(now)).count()
    return max(0, limit - met_today)


def new_facts(player: Player, limit: int) -> list[int]:
    """Up to ``limit`` facts never met, from the dossiers the player has met facts of, in reading order."""
    key = key_of(player)
    if not key or limit <= 0:
        return []
    mine = MemoryCard.objects.filter(player=key)
    return list(
        Fact.objects.filter(topic_id__in=Subquery(mine.values("fact__topic_id")))
        .exclude(Exists(mine.filter(fact_id=OuterRef("pk"))))
        .order_by("topic_id", "section__order", "section_id", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def form_order(last_form: str) -> list[tuple[str, Builder]]:
    """The forms to try, the form after ``last_form`` first and ``last_form`` itself last."""
    names = [name for name, _ in FORMS]
    start = (names.index(last_form) + 1) if last_form in names else 0
    return [FORMS[(start + i) % len(FORMS)] for i in range(len(FORMS))]


def question_in_new_form(
    fact: Fact, last_form: str, pool: Sequence[Candidate], rng: random.Random
) -> GeneratedQuestion | None:
    """The fact asked in the first form (see :func:`form_order`) it can be asked in; None if none."""
    for _, build in form_order(last_form):
        try:
            return build(fact, pool, rng)
        except NotAskable:
            continue
    return None


def session_questions(last_forms: dict[int, str], order: Sequence[int], seed: int) -> list[GeneratedQuestion]:
    """One question per fact of ``order``, each in a form other than ``last_forms[fact]`` when it can."""
    rng = random.Random(seed)
    facts = load_facts(list(order))
    tag_ids = sorted({t.pk for f in facts for t in f.tags.all()})
    pools = candidate_pools((pool_key(f) for f in facts), tag_ids, rng)
    questions = []
    for fact in facts:
        question = question_in_new_form(fact, last_forms.get(fact.pk, ""), pools.get(pool_key(fact), []), rng)
        if question is not None:
            questions.append(question)
    return questions


def start_session(player: Player, now: dt.datetime) -> Attempt | None:
    """A review session of the due facts, topped up with new ones; None when there is nothing."""
    due = due_cards(player, now)
    last_forms = {card.fact_id: card.last_form for card in due}
    order = [card.fact_id for card in due]
    room = min(SESSION_SIZE - len(order), new_allowance(player, now)) if len(order) < SESSION_SIZE else 0
    order += [pk for pk in new_facts(player, room) if pk not in last_forms]
    if not order:
        return None
    seed = play.new_seed()
    questions = session_questions(last_forms, order, seed)
    if not questions:
        return None
    items = [play.item_from(question, position) for position, question in enumerate(questions, start=1)]
    quiz = Quiz.default_for(Topic.objects.get(facts__pk=questions[0].fact_ids[0]))
    return play.create_attempt(quiz, items, player=player, seed=seed, mode=Attempt.Mode.STUDY)


def start_weakest(player: Player, now: dt.datetime) -> tuple[Attempt, Recall] | None:
    """A quiz on the passage or tag with the lowest recall today; None if the player has met nothing.

    A tag is played as the play pages play it (:func:`quiz.play.start_attempt` on the
    dossier's quiz, filtered to the tag); a passage asks its facts, least recalled first.
    """
    report = progress(player, now)
    for weakest in sorted(report.passages + report.tags, key=lambda r: (r.recall, -r.facts, r.label)):
        try:
            return _start_on(weakest, player, now), weakest
        except play.NoQuestions:
            continue
    return None


def _start_on(weakest: Recall, player: Player, now: dt.datetime) -> Attempt:
    key = key_of(player)
    if weakest.kind == "tag":
        tag = Tag.objects.get(pk=weakest.pk)
        topic_id = (
            MemoryCard.objects.filter(player=key, fact__tags=tag)
            .values_list("fact__topic_id", flat=True)
            .first()
        )
        if topic_id is None:
            raise play.NoQuestions
        quiz = Quiz.default_for(Topic.objects.get(pk=topic_id))
        return play.start_attempt(quiz, length=WEAKEST_LENGTH, player=player, tag=tag)
    section = Section.objects.select_related("topic").get(pk=weakest.pk)
    cards = {c.fact_id: c for c in MemoryCard.objects.filter(player=key, fact__section=section)}
    fact_ids = sorted(
        section.facts.values_list("pk", flat=True),
        key=lambda pk: (retrievability(cards[pk], now) if pk in cards else 0.0, pk),
    )[:WEAKEST_LENGTH]
    seed = play.new_seed()
    questions = session_questions({pk: c.last_form for pk, c in cards.items()}, fact_ids, seed)
    items = [play.item_from(question, position) for position, question in enumerate(questions, start=1)]
    return play.create_attempt(Quiz.default_for(section.topic), items, player=player, seed=seed)
