"""Matching pairs: "Match each treaty to the year it was signed."

A matching question pairs three or four things of one dossier with their years. Each pair
is one settled, cited fact of kind ``year`` tied to a timeline event:

- the left-hand item is what the fact dates: the event's title;
- the right-hand value is the fact's answer, and it must be the event's own year, so the
  event and the fact agree; a period ("Korean War, 1950–1953") is never paired, since
  "the year it happened" would have two answers.

An event whose date a source disputes is never paired (as in timeline questions), nor is
a disputed fact. No two right-hand values of a question are equal (nor, for spans,
overlap), no two left-hand items are the same, and no left-hand item names a year of the
question, so the key is the only way to use every value once. When every pair is a
treaty (a settled fact of kind ``treaty`` names that very event), the stem asks for the
year each was signed; otherwise for the year each event happened.

How an :class:`~quiz.models.Item` stores one: ``options`` holds the N left-hand items,
then the N right-hand values in the order shown (both shuffled apart, so the order of
one tells nothing of the other); ``correct`` and ``chosen`` list, for each left-hand item
in turn, the index in ``options`` of the value matched with it (N to 2N-1). ``notes``
holds each left-hand item's proof (its fact's statement), then "" for each value;
``fact_ids`` holds each left-hand item's fact, in the order shown.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery

from content.models import Citation, Fact, Section, normalise, numeric_value
from quiz.generation.bank import EVENT_LIMIT, TagFilter, with_tags
from quiz.generation.types import GeneratedQuestion
from quiz.models import Item

#: Pairs per question: three or four, drawn per question.
PAIRS = (3, 4)
STEM_TREATIES = "Match each treaty to the year it was signed."
STEM_EVENTS = "Match each event to the year it happened."
#: The chance that a quiz of at least ``MIN_QUIZ_LENGTH`` questions asks one matching question.
QUIZ_SHARE = 0.3
MIN_QUIZ_LENGTH = 5


@dataclass(frozen=True)
class Pair:
    """One left-hand item with its value, and what proves it."""

    left: str
    right: str
    year: int
    note: str
    fact_id: int
    event_id: int
    is_treaty: bool
    section: Section | None


def span(value: str) -> tuple[int, int] | None:
    """The years a right-hand value covers: "1689" → (1689, 1689), "1985 to 1991" → (1985, 1991)."""
    years = [int(y) for y in re.findall(r"\b\d{3,4}\b", value)]
    if not years or len(years) > 2:
        return None
    return (years[0], years[-1])


def clash(a: str, b: str) -> bool:
    """Whether two right-hand values could be taken for each other: equal, or overlapping spans."""
    if normalise(a) == normalise(b):
        return True
    first, second = span(a), span(b)
    return first is not None and second is not None and first[0] <= second[1] and second[0] <= first[1]


def names_a_year(left: str, values: Iterable[str]) -> bool:
    """Whether a left-hand item names one of the question's values ("The 1961 treaty" beside 1961)."""
    return any(re.search(rf"(?<!\d){re.escape(v)}(?!\d)", left) for v in values)


def candidate_pairs(
    topic_id: int,
    tags: Sequence[TagFilter] = (),
    *,
    exclude_events: Iterable[int] = (),
    exclude_facts: Iterable[int] = (),
) -> list[Pair]:
    """Every pair the topic offers (bounded by ``EVENT_LIMIT``), earliest first: one query."""
    disputed_date = Fact.objects.filter(
        Q(kind__in=[Fact.Kind.YEAR, Fact.Kind.DATE]) | Q(answer_class="period"),
        event_id=OuterRef("event_id"),
        disputed=True,
    )
    treaty = Fact.objects.filter(event_id=OuterRef("event_id"), kind=Fact.Kind.TREATY, disputed=False)
    facts = with_tags(
        Fact.objects.filter(topic_id=topic_id, kind=Fact.Kind.YEAR, disputed=False, event__isnull=False), tags
    )
    facts = (
        facts.filter(~Exists(disputed_date))
        .filter(Q(event__end_year__isnull=True) | Q(event__end_year=F("event__year")))
        .exclude(event_id__in=sorted(set(exclude_events)))
        .exclude(pk__in=sorted(set(exclude_facts)))
        .annotate(treaty_name=Subquery(treaty.order_by("pk").values("answer")[:1]))
        .select_related("event", "section__topic", "event__section__topic")
        .order_by("event__year", "event__month", "event__day", "pk")
    )
    pairs: dict[int, Pair] = {}
    for fact in facts[:EVENT_LIMIT]:
        event = fact.event
        assert event is not None
        year = numeric_value(fact.answer)
        if year is None or year != event.year or fact.pk in pairs:
            continue
        pairs[fact.pk] = Pair(
            left=event.title,
            right=fact.answer.strip(),
            year=event.year,
            note=fact.statement.strip(),
            fact_id=fact.pk,
            event_id=event.pk,
            is_treaty=normalise(getattr(fact, "treaty_name", None) or "") == normalise(event.title),
            section=fact.section or event.section,
        )
    return list(pairs.values())


def pick_pairs(candidates: Sequence[Pair], rng: random.Random) -> tuple[str, list[Pair]]:
    """The stem and three or four pairs no two of which can be confused; ("", []) if there
    are not three. Treaties alone when the draw says so and there are three of them."""
    treaties = [p for p in candidates if p.is_treaty]
    use_treaties = rng.random() < 0.5 and len(treaties) >= PAIRS[0]
    pool = list(treaties if use_treaties else candidates)
    wanted = rng.choice(PAIRS)
    rng.shuffle(pool)
    picked: list[Pair] = []
    for pair in pool:
        if len(picked) == wanted:
            break
        if any(clash(pair.right, p.right) or normalise(pair.left) == normalise(p.left) for p in picked):
            continue
        values = [p.right for p in picked]
        if names_a_year(pair.left, [*values, pair.right]) or any(
            names_a_year(p.left, [pair.right]) for p in picked
        ):
            continue
        picked.append(pair)
    if len(picked) < PAIRS[0]:
        return "", []
    return (STEM_TREATIES if use_treaties else STEM_EVENTS), picked


def matching_question(
    stem: str, pairs: Sequence[Pair], rng: random.Random, *, shuffle: bool = True
) -> GeneratedQuestion:
    """The question on ``pairs``: left-hand items and values each in their own order.

    Shuffled, each order is drawn on its own; unshuffled, the items are alphabetical and
    the values ascending. Either way the order of one says nothing of the other's.
    """
    lefts = list(pairs)
    rights = list(pairs)
    if shuffle:
        rng.shuffle(lefts)
        rng.shuffle(rights)
    else:
        lefts.sort(key=lambda p: normalise(p.left))
        rights.sort(key=lambda p: (p.year, normalise(p.right)))
    n = len(pairs)
    chronological = sorted(pairs, key=lambda p: (p.year, p.fact_id))
    citations = Citation.objects.filter(fact_id__in=[p.fact_id for p in pairs]).select_related("source")
    by_fact: dict[int, list[str]] = {}
    for citation in citations.order_by("pk"):
        by_fact.setdefault(citation.fact_id or 0, []).append(citation.source.title)
    titles = list(dict.fromkeys(t for p in chronological for t in by_fact.get(p.fact_id, [])))
    tags = Fact.tags.through.objects.filter(fact_id__in=[p.fact_id for p in pairs]).values_list(
        "tag__slug", flat=True
    )
    listing = "; ".join(f"{p.left} ({p.right})" for p in chronological)
    cited = f"{'Source' if len(titles) == 1 else 'Sources'}: {'; '.join(titles)}." if titles else ""
    section = next((p.section for p in chronological if p.section is not None), None)
    return GeneratedQuestion(
        form=Item.Form.MATCH,
        stem=stem,
        options=[p.left for p in lefts] + [p.right for p in rights],
        answer=[n + rights.index(p) for p in lefts],
        explanation=f"In date order: {listing}. {cited}".strip(),
        notes=[p.note for p in lefts] + [""] * n,
        fact_ids=[p.fact_id for p in lefts],
        question_id=None,
        passage_url=section.get_absolute_url() if section else "",
        passage_title=section.heading if section else "",
        section_slug=section.slug if section else "",
        sources=titles,
        tags=sorted(set(tags)),
    )


def quiz_matching(
    topic_id: int,
    rng: random.Random,
    *,
    tags: Sequence[TagFilter] = (),
    exclude_events: Iterable[int] = (),
    exclude_facts: Iterable[int] = (),
    shuffle: bool = True,
) -> tuple[GeneratedQuestion | None, list[int]]:
    """A matching question on the topic and the events it pairs; (None, []) when the topic
    has too few pairs to make one. Three queries (one when it has none)."""
    candidates = candidate_pairs(topic_id, tags, exclude_events=exclude_events, exclude_facts=exclude_facts)
    stem, pairs = pick_pairs(candidates, rng)
    if not pairs:
        return None, []
    return matching_question(stem, pairs, rng, shuffle=shuffle), [p.event_id for p in pairs]


# Reading a stored answer back ------------------------------------------------------------


def split(options: Sequence[str]) -> tuple[list[str], list[str]]:
    """The left-hand items and the right-hand values of a matching item's ``options``."""
    n = len(options) // 2
    return list(options[:n]), list(options[n:])


def pairs_text(options: Sequence[str], value: object) -> str:
    """A matching answer (or key) as text: "Treaty of Nerchinsk: 1689; Treaty of Aigun: 1858"."""
    if not isinstance(value, list):
        return ""
    lefts, _ = split(options)
    parts = []
    for left, index in zip(lefts, value, strict=False):
        if isinstance(index, int) and not isinstance(index, bool) and len(lefts) <= index < len(options):
            parts.append(f"{left}: {options[index]}")
    return "; ".join(parts)
