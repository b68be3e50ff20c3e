"""Putting questions together: a topic's generated questions, a quiz, a review of mistakes."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence

from content.models import Fact, Tag, Topic
from quiz.generation import matching
from quiz.generation.bank import (
    TagFilter,
    candidate_pools,
    load_event_details,
    load_events,
    load_facts,
    pool_key,
    read_universe,
    with_tags,
)
from quiz.generation.questions import (
    FORM,
    NotAskable,
    multiple_choice,
    not_before_year,
    pick_events,
    question_from_written,
    recall,
    timeline_order,
    timeline_question,
    true_false,
)
from quiz.generation.types import GeneratedQuestion
from quiz.generation.variety import design_order
from quiz.models import Item, Question, Quiz

#: Share of fact questions turned into true/false when the statement allows it: drawn per
#: quiz from this range, so one quiz leans on true/false and the next hardly at all.
TRUE_FALSE_SHARE = (0.1, 0.35)
#: Share of fact questions asked by typed recall, when the answer allows it.
RECALL_SHARE = 0.12
#: Timeline questions per ten questions, drawn per quiz from this range (when the timeline
#: has enough dated events), each of them "which came first" or "put in order" at random.
TIMELINE_PER_TEN = (1, 2)
#: Events per timeline question.
TIMELINE_OPTIONS = 4


def _oversample(n: int) -> int:
    """Facts to read for ``n`` questions: some facts cannot be asked (too few siblings...)."""
    return 2 * n + 4


def _tag_ids(facts: Iterable[Fact]) -> list[int]:
    return sorted({t.pk for f in facts for t in f.tags.all()})


def _fact_question(
    fact: Fact,
    pools: dict,
    rng: random.Random,
    *,
    shuffle: bool,
    allow_true_false: bool,
    true_false_share: float = TRUE_FALSE_SHARE[0],
) -> GeneratedQuestion | None:
    """Multiple choice (or, sometimes, true/false); None when the fact cannot be asked."""
    pool = pools.get(pool_key(fact), [])
    try:
        question = multiple_choice(fact, pool, rng, shuffle=shuffle)
    except NotAskable:
        return None
    if allow_true_false and rng.random() < RECALL_SHARE:
        try:
            return recall(fact, pool)
        except NotAskable:
            pass
    if allow_true_false and rng.random() < true_false_share:
        try:
            return true_false(fact, pool, rng)
        except NotAskable:
            pass
    return question


def _reading_order(fact: Fact) -> tuple:
    section = fact.section
    return (section is None, section.order if section else 0, section.pk if section else 0, fact.pk)


def _first_facts(universe: Sequence[int], index: int, k: int, seen: Collection[int]) -> list[int]:
    """The first ``k`` facts of ``universe`` in the order design ``index`` reads them
    (:mod:`quiz.generation.variety`), facts the player has not seen before those they have.

    The unseen facts are a universe of their own, read with the same design, and the seen
    ones follow, read likewise: a pure function of the ids, the index and the seen set.
    """
    seen = set(seen)
    unseen = [pk for pk in universe if pk not in seen]
    again = [pk for pk in universe if pk in seen]
    ordered = [unseen[r] for r in design_order(len(unseen), index)]
    if len(ordered) < k:
        ordered += [again[r] for r in design_order(len(again), index)]
    return ordered[:k]


def _generate(
    topic: Topic | int,
    count: int,
    rng: random.Random,
    *,
    seed: int,
    tags: Sequence[TagFilter] = (),
    shuffle: bool = True,
    exclude_fact_ids: Iterable[int] = (),
    prefer_unseen: Collection[int] = (),
) -> list[GeneratedQuestion]:
    if count <= 0:
        return []
    topic_id = topic if isinstance(topic, int) else topic.pk
    # Events are picked and ordered first (the same draws on rng as building each question
    # in turn), then only the shown events' citations, tags and facts are read, at once.
    shown_events: list[tuple[list, str, int | None]] = []
    low, high = TIMELINE_PER_TEN
    wanted_timeline = rng.randint(max(1, count * low // 10), max(1, count * high // 10)) if count >= 3 else 0
    if wanted_timeline:
        events = load_events(topic_id, tags)
        for _ in range(wanted_timeline):
            picked = pick_events(events, rng, TIMELINE_OPTIONS)
            if not picked:
                break
            form = rng.choice([FORM.FIRST, FORM.ORDER, FORM.NOT_BEFORE])
            year = not_before_year(picked, rng) if form == FORM.NOT_BEFORE else None
            if form == FORM.NOT_BEFORE and year is None:
                form = FORM.FIRST
            shown_events.append((timeline_order(picked, rng, shuffle=shuffle), form, year))
            events = [e for e in events if e not in picked]
        load_event_details([event for shown, _, _ in shown_events for event in shown])
    timeline_questions = [timeline_question(shown, form, year) for shown, form, year in shown_events]
    # Matching has its own draw, seeded by the quiz's seed: quizzes without it are unchanged.
    exclude_fact_ids = list(exclude_fact_ids)
    match_rng = random.Random(f"match:{seed}")
    wants_match = count >= matching.MIN_QUIZ_LENGTH and match_rng.random() < matching.QUIZ_SHARE

    wanted = count - len(timeline_questions)
    facts_qs = with_tags(Fact.objects.filter(topic_id=topic_id), tags)
    excluded = sorted(set(exclude_fact_ids))
    if excluded:
        facts_qs = facts_qs.exclude(pk__in=excluded)
    universe, index = read_universe(facts_qs, seed)
    ids = _first_facts(universe, index, _oversample(wanted), prefer_unseen)
    facts = load_facts(ids)
    pools = candidate_pools((pool_key(f) for f in facts), _tag_ids(facts), rng)
    share = rng.uniform(*TRUE_FALSE_SHARE)
    remaining = iter(facts)

    def next_question() -> tuple[Fact, GeneratedQuestion] | None:
        for fact in remaining:
            question = _fact_question(
                fact, pools, rng, shuffle=shuffle, allow_true_false=True, true_false_share=share
            )
            if question is not None:
                return fact, question
        return None

    asked: list[tuple[Fact, GeneratedQuestion]] = []
    while len(asked) < wanted - int(wants_match) and (pair := next_question()) is not None:
        asked.append(pair)
    extra: list[GeneratedQuestion] = []
    if wants_match:
        # Chosen after the fact questions, on other events than theirs and the timeline's
        # (a fact question on a matched event could give a pair away), so the facts the
        # design picked stay as they are; when no matching can be made, one more fact.
        match, _ = matching.quiz_matching(
            topic_id,
            match_rng,
            tags=tags,
            exclude_events=[
                *(event.pk for shown, _, _ in shown_events for event in shown),
                *(fact.event_id for fact, _ in asked if fact.event_id is not None),
            ],
            exclude_facts=exclude_fact_ids,
            shuffle=shuffle,
        )
        if match is not None:
            extra.append(match)
        elif (pair := next_question()) is not None:
            asked.append(pair)
    if not shuffle:
        asked.sort(key=lambda pair: _reading_order(pair[0]))
    questions = [q for _, q in asked] + timeline_questions + extra
    if shuffle:
        rng.shuffle(questions)
    return questions


def generate_questions(
    topic: Topic, *, count: int, seed: int, tag: TagFilter = None, shuffle: bool = True
) -> list[GeneratedQuestion]:
    """Up to ``count`` questions generated from ``topic`` (optionally only facts/events tagged ``tag``).

    About one in five is a timeline question when the timeline allows, and some fact
    questions are true/false; the rest are multiple choice. Fewer than ``count`` only
    when the bank has fewer askable facts.
    """
    return _generate(topic, count, random.Random(seed), seed=seed, tags=[tag], shuffle=shuffle)


def _tag_filters(quiz: Quiz, tag: TagFilter) -> list[TagFilter]:
    filters: list[TagFilter] = []
    if quiz.tag_id:
        filters.append(quiz.tag_id)
    if tag is not None and tag != "" and not (isinstance(tag, Tag) and tag.pk == quiz.tag_id):
        filters.append(tag)
    return filters


def _written(quiz: Quiz, tags: Sequence[TagFilter], rng: random.Random, k: int) -> list[Question]:
    """Up to ``k`` published teacher questions of the quiz's topic, in a random order.

    Reads every published question *id* of the topic (teacher-written, so a few hundred
    at most), then only the ``k`` chosen questions with their choices and sources.
    """
    if k <= 0:
        return []
    ids_qs = with_tags(Question.objects.published().filter(topic_id=quiz.topic_id), tags)
    ids = list(dict.fromkeys(ids_qs.order_by("pk").values_list("pk", flat=True)))
    chosen = rng.sample(ids, min(k, len(ids)))
    if not chosen:
        return []
    questions = (
        Question.objects.filter(pk__in=chosen)
        .select_related("section__topic")
        .prefetch_related(
            "choices",
            "tags",
            "facts__citations__source",
        )
    )
    by_id = {q.pk: q for q in questions}
    return [by_id[pk] for pk in chosen if pk in by_id]


def build_quiz(
    quiz: Quiz, *, length: int, seed: int, tag: TagFilter = None, prefer_unseen: Collection[int] = ()
) -> list[GeneratedQuestion]:
    """The questions of one play of ``quiz``: up to ``length`` of them.

    Facts in ``prefer_unseen`` (those a signed-in player has already been asked) are
    asked only when the unseen ones run short.

    ``quiz.mix`` picks generated questions, published teacher questions of the topic, or
    both (up to half written, the rest generated, each side topping up the other when it
    runs short). ``quiz.tag`` and ``tag`` both filter (a question must carry both).
    ``quiz.shuffle`` shuffles option order and question order; without it options keep
    a stable order (numbers ascending, text alphabetical, teacher choices as written) and
    questions follow the dossier's reading order, teacher questions last.
    """
    rng = random.Random(seed)
    tags = _tag_filters(quiz, tag)
    shuffle = quiz.shuffle
    written: list[GeneratedQuestion] = []
    if quiz.mix in (Quiz.Mix.WRITTEN, Quiz.Mix.BOTH):
        for question in _written(quiz, tags, rng, length):
            try:
                written.append(question_from_written(question, rng, shuffle=shuffle))
            except NotAskable:
                continue
    if not shuffle:
        written.sort(key=lambda q: q.question_id or 0)
    if quiz.mix == Quiz.Mix.WRITTEN:
        questions = written[:length]
    else:
        share = min(len(written), length // 2) if quiz.mix == Quiz.Mix.BOTH else 0
        used = written[:share]
        exclude = [pk for q in used for pk in q.fact_ids]
        generated = _generate(
            quiz.topic_id,
            length - share,
            rng,
            seed=seed,
            tags=tags,
            shuffle=shuffle,
            exclude_fact_ids=exclude,
            prefer_unseen=prefer_unseen,
        )
        spare = [
            q for q in written[share:] if not set(q.fact_ids) & {pk for g in generated for pk in g.fact_ids}
        ]
        used += spare[: length - share - len(generated)]
        questions = generated + used
    if shuffle:
        rng.shuffle(questions)
    return questions[:length]


#: How much of a player's history the next quiz looks back on (newest first).
SEEN_LIMIT = 1000


def seen_fact_ids(user_id: int, topic_id: int) -> list[int]:
    """The facts of ``topic_id`` the user was asked lately (up to ``SEEN_LIMIT`` items): one query."""
    seen = (
        Item.objects.filter(attempt__user_id=user_id, attempt__quiz__topic_id=topic_id, fact__isnull=False)
        .order_by("-attempt_id", "position")
        .values_list("fact_id", flat=True)[:SEEN_LIMIT]
    )
    return list(dict.fromkeys(seen))


def questions_for_facts(facts: Iterable[Fact | int], *, seed: int) -> list[GeneratedQuestion]:
    """One multiple-choice question per fact, in the order given ("review my mistakes").

    Facts that cannot be asked (see :func:`audit_facts`) are skipped. Takes facts or their
    ids; reads them again with everything a question needs, in bulk.
    """
    rng = random.Random(seed)
    ids = list(dict.fromkeys(f.pk if isinstance(f, Fact) else int(f) for f in facts))
    loaded = load_facts(ids)
    pools = candidate_pools((pool_key(f) for f in loaded), _tag_ids(loaded), rng)
    out = []
    for fact in loaded:
        question = _fact_question(fact, pools, rng, shuffle=True, allow_true_false=False)
        if question is not None:
            out.append(question)
    return out
