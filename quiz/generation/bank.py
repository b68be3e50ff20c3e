"""Reading the fact bank in bounded queries.

Nothing here loads a whole topic: a quiz chooses its facts among at most
``UNIVERSE_LIMIT`` ids in the order of their random ``sample_key`` (a small topic whole,
a large one by blocks of keys, :func:`read_universe`), and distractor candidates come
from a window of the same kind, from a random start, with a LIMIT. Both halves of a
wrap-around are always queried, so the number of queries never depends on how many
facts the bank holds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Cast

from content.models import Citation, Fact, Tag, TimelineEvent, Topic

#: Distractor candidates read per kind from the fact's own topic, on each side of a random start.
POOL_WINDOW = 40
#: Candidates read per kind from other topics that share a tag with the facts asked.
TAG_POOL = 20
#: Other topics whose facts may give those candidates: the first that share a tag, by pk.
TAG_TOPICS = 20
#: Timeline events read per quiz; a dossier's timeline has dozens, not thousands.
EVENT_LIMIT = 200

TagFilter = Tag | str | int | None


def tag_q(tag: Tag | str | int) -> Q:
    """A filter on one tag, given as a Tag, its slug or its pk (neither costs a query)."""
    if isinstance(tag, Tag):
        return Q(tags=tag)
    if isinstance(tag, int):
        return Q(tags__pk=tag)
    return Q(tags__slug=tag)


def with_tags(queryset: QuerySet, tags: Iterable[TagFilter]) -> QuerySet:
    """Keep rows carrying every given tag (one join per tag, so the tags combine with AND)."""
    for tag in tags:
        if tag is not None and tag != "":
            queryset = queryset.filter(tag_q(tag))
    return queryset


def sample_ids(queryset: QuerySet, k: int, rng: random.Random) -> list[int]:
    """Up to ``k`` random primary keys of ``queryset``, by a random start on ``sample_key``."""
    if k <= 0:
        return []
    start = rng.random()
    ordered = queryset.order_by("sample_key", "pk").values_list("pk", flat=True)
    after = list(ordered.filter(sample_key__gte=start)[:k])
    before = list(ordered.filter(sample_key__lt=start)[:k])
    return list(dict.fromkeys(after + before))[:k]


#: A quiz chooses its facts among at most this many (ids only, in ``sample_key`` order):
#: a smaller universe is read whole; a larger bank is cut by ``sample_key`` into blocks of
#: about half as many or more, and each seed reads one block. Enough for a curve of
#: :mod:`quiz.generation.variety` to hold a 10-question quiz (a block of 143 facts is an
#: 11 x 13 grid); few enough that reading the ids costs well under a millisecond.
UNIVERSE_LIMIT = 256


def read_universe(queryset: QuerySet, seed: int) -> tuple[list[int], int]:
    """The ids a quiz with ``seed`` chooses from, in ``(sample_key, pk)`` order, and its
    design index among them (:mod:`quiz.generation.variety`). Two queries, always.

    The first reads the ``sample_key`` of the ``UNIVERSE_LIMIT``-th fact (an index walk of
    that many rows, whatever the size of the bank). When there is none, the bank is small:
    the second query reads all of it, and the design index is the seed. Otherwise keys are
    uniform on [0, 1), so the bank holds about ``UNIVERSE_LIMIT / key`` facts: it is cut
    into equal key ranges of ``UNIVERSE_LIMIT / 2`` to ``UNIVERSE_LIMIT`` facts (on
    average), and the quiz reads block ``seed % blocks`` with design index
    ``seed // blocks``. Every seed on a block reads the same ids, so the design's bound
    holds among them, and two blocks share no fact. A pure function of the bank and the
    seed.
    """
    ordered = queryset.order_by("sample_key", "pk")
    probe = list(ordered.values_list("sample_key", flat=True)[UNIVERSE_LIMIT - 1 : UNIVERSE_LIMIT])
    blocks = 1
    if probe and probe[0] > 0:
        blocks = max(1, int(UNIVERSE_LIMIT / probe[0]) // (UNIVERSE_LIMIT // 2))
    block, index = seed % blocks, seed // blocks
    if blocks > 1:
        ordered = ordered.filter(sample_key__gte=block / blocks, sample_key__lt=(block + 1) / blocks)
    return list(ordered.values_list("pk", flat=True)[:UNIVERSE_LIMIT]), index


def load_facts(ids: Sequence[int]) -> list[Fact]:
    """The facts with their citations (and sources), tags, passage and event, in ``ids`` order."""
    facts = (
        Fact.objects.filter(pk__in=list(ids))
        .select_related("topic", "section__topic", "event")
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
            Prefetch("tags", queryset=Tag.objects.order_by("slug")),
        )
    )
    by_id = {fact.pk: fact for fact in facts}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(frozen=True)
class Candidate:
    """Another fact's answer, as a possible distractor."""

    fact_id: int
    topic_id: int
    kind: str
    answer: str
    aliases: tuple[str, ...]
    unit: str
    year: int | None
    answer_class: str
    subject: str
    stem: str
    statement: str
    sample_key: float
    era_start: int | None = None
    era_end: int | None = None
    tag_ids: frozenset[int] = frozenset()


_CANDIDATE_FIELDS = (
    "pk",
    "topic_id",
    "kind",
    "answer",
    "aliases",
    "unit",
    "year",
    "subject",
    "stem",
    "statement",
    "sample_key",
    "answer_class",
    "era_start",
    "era_end",
)


def _with_tag_list(queryset: QuerySet) -> QuerySet:
    """Each fact with its tag ids as "3,7", read in the same query (a correlated subquery:
    one index probe per row returned, after the LIMIT, and no second round trip)."""
    ids = StringAgg(Cast("tag_id", CharField()), delimiter=Value(","))
    tags = Fact.tags.through.objects.filter(fact_id=OuterRef("pk")).order_by().values("fact_id")
    return queryset.annotate(tag_list=Subquery(tags.values(ids=ids)))


def _candidates(rows: Iterable[dict]) -> list[Candidate]:
    return [
        Candidate(
            fact_id=row["pk"],
            topic_id=row["topic_id"],
            kind=row["kind"],
            answer=row["answer"],
            aliases=tuple(row["aliases"] or ()),
            unit=row["unit"],
            year=row["year"],
            subject=row["subject"],
            stem=row["stem"],
            statement=row["statement"],
            sample_key=row["sample_key"],
            answer_class=row["answer_class"],
            era_start=row["era_start"],
            era_end=row["era_end"],
            tag_ids=frozenset(int(pk) for pk in (row.get("tag_list") or "").split(",") if pk),
        )
        for row in rows
    ]


def topics_sharing_tags(tag_ids: Sequence[int], *, exclude: Iterable[int]) -> list[int]:
    """Up to ``TAG_TOPICS`` other topics (lowest pk first) with a fact carrying one of ``tag_ids``.

    Asked once per quiz, before any pool: when no other topic shares a tag (a site with
    one dossier, or dossiers with their own themes) the cross-topic pool queries are not
    made at all, and when some do, the pool query is confined to their facts, so the
    (topic, kind, sample_key) index serves it instead of a walk of the whole bank.
    """
    if not tag_ids:
        return []
    tagged = Fact.tags.through.objects.filter(fact__topic_id=OuterRef("pk"), tag_id__in=list(tag_ids))
    topics = Topic.objects.exclude(pk__in=sorted(set(exclude))).filter(Exists(tagged))
    return list(topics.order_by("pk").values_list("pk", flat=True)[:TAG_TOPICS])


PoolKey = tuple[int, str, str]


def pool_key(fact: Fact) -> PoolKey:
    """The pool a fact's distractors come from: its topic, kind and answer class."""
    return (fact.topic_id, fact.kind, fact.answer_class)


def candidate_pools(
    needs: Iterable[PoolKey], tag_ids: Sequence[int], rng: random.Random
) -> dict[PoolKey, list[Candidate]]:
    """Distractor candidates for each (topic id, kind, answer class) asked, each pool bounded.

    A pool holds settled facts of that kind (and class, when the fact has one): up to
    ``2 * POOL_WINDOW`` from the topic (a random window on ``sample_key``). Another
    dossier contributes (up to ``TAG_POOL``) only to a pool with a class, and only facts
    of that very class that also share one of ``tag_ids``: a river for a river, never a
    city wall's length for a river's because both are tagged "borders". Disputed facts
    are left out: what they "really are" is itself in question. Kind ``text`` gets no
    pool: it takes only its author's distractors. Two queries per pool, a third when
    another topic shares a tag, and one to find those topics; each candidate comes with
    its tags (ranking prefers siblings that share the fact's tags).
    """
    pools: dict[PoolKey, list[Candidate]] = {}
    wanted = sorted({need for need in needs if need[1] != Fact.Kind.TEXT})
    asked_topics = {topic_id for topic_id, _, _ in wanted}
    classed = any(cls for _, _, cls in wanted)
    sharing = topics_sharing_tags(tag_ids, exclude=asked_topics) if classed else []
    settled = Fact.objects.filter(disputed=False).order_by("sample_key", "pk")
    for topic_id, kind, cls in wanted:
        start = rng.random()
        own = settled.filter(topic_id=topic_id, kind=kind)
        if cls:
            own = own.filter(answer_class=cls)
        window = _with_tag_list(own).values(*_CANDIDATE_FIELDS, "tag_list")
        rows = [
            *window.filter(sample_key__gte=start)[:POOL_WINDOW],
            *window.filter(sample_key__lt=start)[:POOL_WINDOW],
        ]
        others = sorted({*sharing, *(asked_topics - {topic_id})})
        if cls and tag_ids and others:
            # EXISTS rather than a join + DISTINCT: the database walks the sample_key index
            # of those topics and stops after TAG_POOL matches instead of sorting every tagged fact.
            tagged = Fact.tags.through.objects.filter(fact_id=OuterRef("pk"), tag_id__in=list(tag_ids))
            # From the random start on, wrapping round to the bottom in the same query: a class
            # is narrow, so the rows are few and the wrap cannot leave a small pool empty.
            candidates = settled.filter(Exists(tagged), topic_id__in=others, kind=kind, answer_class=cls)
            shared = (
                _with_tag_list(candidates)
                .annotate(wrapped=Case(When(sample_key__gte=start, then=0), default=1))
                .order_by("wrapped", "sample_key", "pk")
                .values(*_CANDIDATE_FIELDS, "tag_list")[:TAG_POOL]
            )
            rows.extend(shared)
        pools[(topic_id, kind, cls)] = _candidates({row["pk"]: row for row in rows}.values())
    return pools


def load_events(topic_id: int, tags: Iterable[TagFilter]) -> list[TimelineEvent]:
    """The topic's dated events whose date no source disputes, earliest first (bounded).

    An event is left out when a disputed fact of kind year or date (or of class "period")
    is linked to it: its place in the timeline is itself in question. Only what picking needs (the date) and
    the passage come with them; :func:`load_event_details` reads the rest for the few
    events a timeline question shows.
    """
    # "event IS NOT NULL" is implied, but said: without it PostgreSQL may merge-join on the
    # event index and walk every fact of the bank (most have no event).
    disputed_date = Fact.objects.filter(
        Q(kind__in=[Fact.Kind.YEAR, Fact.Kind.DATE]) | Q(answer_class="period"),
        event=OuterRef("pk"),
        event__isnull=False,
        disputed=True,
    )
    events = with_tags(TimelineEvent.objects.filter(topic_id=topic_id), tags)
    events = (
        events.filter(~Exists(disputed_date))
        .select_related("section__topic")
        .order_by("year", "month", "day", "pk")
        .distinct()
    )
    return list(events[:EVENT_LIMIT])


def load_event_details(events: Sequence[TimelineEvent]) -> None:
    """Citations (with sources), tags and settled facts of ``events``: three queries, none for no events."""
    prefetch_related_objects(
        list(events),
        Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
        Prefetch("tags", queryset=Tag.objects.order_by("slug")),
        Prefetch("facts", queryset=Fact.objects.filter(disputed=False).only("pk", "event_id").order_by("pk")),
    )
