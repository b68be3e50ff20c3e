"""The Open Trivia DB question bank: categories, entries, and drawing questions from them.

**Categories** are the published dossiers and the tags, with stable integer ids that never
collide: dossier ``pk`` → ``2 * pk``, tag ``pk`` → ``2 * pk + 1``.

**Entries** are what a session token remembers. There are three kinds
(:class:`~quiz.api.models.TriviaTokenSeen.Kind`):

- ``m``: a fact asked as multiple choice (a settled fact is "medium"; a disputed one is
  "hard", and is only ever asked "According to <source>, …", as everywhere else);
- ``b``: a settled fact (not of kind text) asked as true or false ("easy");
- ``q``: a published teacher question; "boolean" when its only two choices are True and
  False, "multiple" otherwise; its difficulty is the teacher's.

Timeline questions ("which came first", "put in order") have no Open Trivia DB type and
are not served here.

Counts (``api_count.php``) count entries. A few entries cannot become a question (a fact
with too few distractors, a true/false fact whose statement does not contain its answer:
``manage.py audit_questions`` lists them); they are skipped when drawn, and a token marks
them seen, so it still runs out (code 4) instead of looping.

A draw reads a bounded number of rows whatever the size of the bank: facts are sampled on
their ``sample_key`` (as the quiz engine does), teacher questions by id.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from content.models import Fact, Tag, Topic
from quiz.api.models import TriviaToken, TriviaTokenSeen
from quiz.generation import NotAskable, question_from_written
from quiz.generation.bank import candidate_pools, load_facts, pool_key, sample_ids
from quiz.generation.questions import multiple_choice, true_false
from quiz.generation.types import GeneratedQuestion
from quiz.models import Difficulty, Question

Kind = TriviaTokenSeen.Kind
DIFFICULTIES = ("easy", "medium", "hard")
TYPES = ("multiple", "boolean")
TEACHER_DIFFICULTY = {Difficulty.EASY: "easy", Difficulty.MEDIUM: "medium", Difficulty.HARD: "hard"}
BOOLEAN_CHOICES = ("true", "false")
TRUE_FALSE_PREFIX = "True or false: "


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    topic: Topic | None = None
    tag: Tag | None = None


def topic_category(topic: Topic) -> Category:
    return Category(2 * topic.pk, f"Dossier: {topic.title}", topic=topic)


def tag_category(tag: Tag) -> Category:
    return Category(2 * tag.pk + 1, f"Tag: {tag.name}", tag=tag)


def categories() -> list[Category]:
    """Every category: the published dossiers by title, then the tags by name. Two queries."""
    return [topic_category(t) for t in Topic.objects.published().order_by("title", "pk")] + [
        tag_category(t) for t in Tag.objects.order_by("name", "pk")
    ]


def find_category(category_id: int) -> Category | None:
    if category_id <= 0:
        return None
    pk, is_tag = divmod(category_id, 2)
    if is_tag:
        tag = Tag.objects.filter(pk=pk).first()
        return tag_category(tag) if tag else None
    topic = Topic.objects.published().filter(pk=pk).first()
    return topic_category(topic) if topic else None


@dataclass(frozen=True)
class Query:
    """What ``api.php`` was asked for (all optional but the amount)."""

    category: Category | None = None
    difficulty: str | None = None
    type: str | None = None


def _boolean_questions() -> Q:
    """Teacher questions whose only two choices read True and False (any case)."""
    return Q(choice_count=2, true_false_count=2)


def _pools(query: Query) -> dict[str, QuerySet]:
    """One queryset of ids per entry kind that the query can draw from."""
    facts = Fact.objects.filter(topic__published=True)
    questions = Question.objects.published().filter(topic__published=True)
    category = query.category
    if category is not None and category.topic is not None:
        facts = facts.filter(topic=category.topic)
        questions = questions.filter(topic=category.topic)
    elif category is not None and category.tag is not None:
        facts = facts.filter(tags=category.tag)
        questions = questions.filter(tags=category.tag)
    pools: dict[str, QuerySet] = {}
    if query.type in (None, "multiple"):
        if query.difficulty in (None, "medium"):
            pools[Kind.FACT_MULTIPLE] = facts.filter(disputed=False) if query.difficulty else facts
        elif query.difficulty == "hard":
            pools[Kind.FACT_MULTIPLE] = facts.filter(disputed=True)
    if query.type in (None, "boolean") and query.difficulty in (None, "easy"):
        pools[Kind.FACT_BOOLEAN] = facts.filter(disputed=False).exclude(kind=Fact.Kind.TEXT)
    questions = questions.annotate(
        choice_count=Count("choices", distinct=True),
        true_false_count=Count(
            "choices",
            filter=Q(choices__text__iexact="true") | Q(choices__text__iexact="false"),
            distinct=True,
        ),
    )
    if query.type == "multiple":
        questions = questions.exclude(_boolean_questions())
    elif query.type == "boolean":
        questions = questions.filter(_boolean_questions())
    if query.difficulty is not None:
        wanted = next(level for level, name in TEACHER_DIFFICULTY.items() if name == query.difficulty)
        questions = questions.filter(difficulty=wanted)
    pools[Kind.QUESTION] = questions
    return pools


def _unseen(pool: QuerySet, kind: str, token: TriviaToken) -> QuerySet:
    seen = TriviaTokenSeen.objects.filter(token=token, kind=kind, object_id=OuterRef("pk"))
    return pool.filter(~Exists(seen))


def count(query: Query, token: TriviaToken | None = None) -> int:
    """Entries the query matches (for ``token``: those it has not been given). One query per kind."""
    pools = _pools(query)
    if token is not None:
        pools = {kind: _unseen(pool, kind, token) for kind, pool in pools.items()}
    return sum(pool.values("pk").distinct().count() for pool in pools.values())


def difficulty_counts(category: Category) -> dict[str, int]:
    """``api_count.php``'s numbers: entries per difficulty, and the total."""
    counts = {level: count(Query(category, level)) for level in DIFFICULTIES}
    return {"total": sum(counts.values()), **counts}


@dataclass
class Drawn:
    """One question drawn from the bank, with what the Open Trivia DB result needs."""

    kind: str
    object_id: int
    type: str
    difficulty: str
    category: str
    question: GeneratedQuestion
    dossier_url: str
    extra: dict = field(default_factory=dict)

    @property
    def stem(self) -> str:
        stem = self.question.stem
        if self.type == "boolean" and stem.startswith(TRUE_FALSE_PREFIX):
            return stem[len(TRUE_FALSE_PREFIX) :]
        return stem

    @property
    def correct_answer(self) -> str:
        return _option_text(self.type, self.question.correct_options[0])

    @property
    def incorrect_answers(self) -> list[str]:
        right = self.question.answer
        return [_option_text(self.type, o) for i, o in enumerate(self.question.options) if i != right]


def _option_text(type_: str, text: str) -> str:
    return text.strip().capitalize() if type_ == "boolean" else text


def _ids(pool: QuerySet, kind: str, k: int, rng: random.Random) -> list[int]:
    if kind == Kind.QUESTION:
        ids = list(dict.fromkeys(pool.order_by("pk").values_list("pk", flat=True)))
        return rng.sample(ids, min(k, len(ids)))
    return sample_ids(pool, k, rng)


def _category_name(query: Query, topic: Topic) -> str:
    return query.category.name if query.category is not None else topic_category(topic).name


def draw(
    query: Query, amount: int, rng: random.Random, token: TriviaToken | None = None
) -> list[Drawn] | None:
    """``amount`` questions for the query (never one ``token`` was given), or None if the bank
    cannot give that many. Entries tried and found unaskable are marked seen for the token.
    """
    pools = _pools(query)
    if token is not None:
        pools = {kind: _unseen(pool, kind, token) for kind, pool in pools.items()}
    # Enough candidates of each kind that skipping the unaskable ones rarely leaves us short;
    # only a first batch of them is loaded and built, the rest only if that falls short.
    want = 2 * amount + 4
    candidates = [(kind, pk) for kind, pool in pools.items() for pk in _ids(pool, kind, want, rng)]
    rng.shuffle(candidates)
    first = amount + amount // 4 + 2
    drawn: list[Drawn] = []
    unaskable: list[tuple[str, int]] = []
    for batch in (candidates[:first], candidates[first:]):
        if len(drawn) == amount or not batch:
            break
        built, skipped = _build_batch(batch, amount - len(drawn), query, rng)
        drawn += built
        unaskable += skipped
    if token is not None and unaskable:
        mark_seen(token, unaskable)
    if len(drawn) < amount:
        return None
    if token is not None:
        mark_seen(token, [(d.kind, d.object_id) for d in drawn])
    return drawn


def _build_batch(
    batch: Sequence[tuple[str, int]], needed: int, query: Query, rng: random.Random
) -> tuple[list[Drawn], list[tuple[str, int]]]:
    """Up to ``needed`` questions from ``batch``, in its order, and the entries that could not be
    asked. Reads the batch's facts, their distractor pools and teacher questions in bulk."""
    fact_ids = sorted({pk for kind, pk in batch if kind != Kind.QUESTION})
    facts = {f.pk: f for f in load_facts(fact_ids)}
    fact_pools = candidate_pools(
        (pool_key(f) for f in facts.values()),
        sorted({t.pk for f in facts.values() for t in f.tags.all()}),
        rng,
    )
    question_ids = [pk for kind, pk in batch if kind == Kind.QUESTION]
    questions = (
        {
            q.pk: q
            for q in Question.objects.filter(pk__in=question_ids)
            .select_related("topic", "section__topic")
            .prefetch_related("choices", "tags", "facts__citations__source")
        }
        if question_ids
        else {}
    )
    built: list[Drawn] = []
    skipped: list[tuple[str, int]] = []
    for kind, pk in batch:
        if len(built) == needed:
            break
        item = _build(kind, pk, facts, fact_pools, questions, query, rng)
        if item is None:
            skipped.append((kind, pk))
        else:
            built.append(item)
    return built, skipped


def _build(
    kind: str,
    pk: int,
    facts: dict[int, Fact],
    fact_pools: dict,
    questions: dict[int, Question],
    query: Query,
    rng: random.Random,
) -> Drawn | None:
    if kind == Kind.QUESTION:
        written = questions.get(pk)
        if written is None:
            return None
        try:
            generated = question_from_written(written, rng)
        except NotAskable:
            return None
        is_boolean = len(generated.options) == 2 and {o.strip().casefold() for o in generated.options} == set(
            BOOLEAN_CHOICES
        )
        return Drawn(
            kind,
            pk,
            "boolean" if is_boolean else "multiple",
            TEACHER_DIFFICULTY.get(Difficulty(written.difficulty), "medium"),
            _category_name(query, written.topic),
            generated,
            written.topic.get_absolute_url(),
        )
    fact = facts.get(pk)
    if fact is None:
        return None
    pool = fact_pools.get(pool_key(fact), [])
    try:
        if kind == Kind.FACT_BOOLEAN:
            generated = true_false(fact, pool, rng)
        else:
            generated = multiple_choice(fact, pool, rng)
    except NotAskable:
        return None
    if kind == Kind.FACT_BOOLEAN:
        type_, difficulty = "boolean", "easy"
    else:
        type_, difficulty = "multiple", "hard" if fact.disputed else "medium"
    return Drawn(
        kind,
        pk,
        type_,
        difficulty,
        _category_name(query, fact.topic),
        generated,
        fact.topic.get_absolute_url(),
    )


def mark_seen(token: TriviaToken, entries: Sequence[tuple[str, int]]) -> None:
    TriviaTokenSeen.objects.bulk_create(
        [TriviaTokenSeen(token=token, kind=kind, object_id=pk) for kind, pk in entries],
        ignore_conflicts=True,
    )


def global_counts() -> dict[int, int]:
    """Entries per category id, for ``api_count_global.php``: a few grouped queries in all."""
    totals: dict[int, int] = {}
    facts = Fact.objects.filter(topic__published=True)
    boolean_facts = Q(disputed=False) & ~Q(kind=Fact.Kind.TEXT)
    questions = Question.objects.published().filter(topic__published=True)
    per_topic = facts.values("topic_id").annotate(n=Count("pk"), b=Count("pk", filter=boolean_facts))
    rows: list[tuple[int, int]] = [(2 * r["topic_id"], r["n"] + r["b"]) for r in per_topic]
    rows += [(2 * r["topic_id"], r["n"]) for r in questions.values("topic_id").annotate(n=Count("pk"))]
    per_tag = (
        facts.filter(tags__isnull=False)
        .values("tags")
        .annotate(n=Count("pk"), b=Count("pk", filter=boolean_facts))
    )
    rows += [(2 * r["tags"] + 1, r["n"] + r["b"]) for r in per_tag]
    tagged_questions = questions.filter(tags__isnull=False).values("tags").annotate(n=Count("pk"))
    rows += [(2 * r["tags"] + 1, r["n"]) for r in tagged_questions]
    for key, n in rows:
        totals[key] = totals.get(key, 0) + n
    return totals
