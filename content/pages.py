"""What the study pages show, derived from rows already loaded: page objects, not model state.

A dossier page numbers its sources, marks each citation with its source's number, splits
passages into paragraphs and groups a disputed fact's values by source. None of that is a
property of a model row, so it lives here, on small read-only objects the templates walk,
built by :func:`dossier_page` in a fixed number of queries whatever the dossier's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from content.models import (
    Citation,
    Fact,
    Section,
    Source,
    Tag,
    TimelineEvent,
    Topic,
    count_per_topic,
    normalise,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

#: Disputed facts listed on a dossier page; the rest behind a link (``?disputed=all``).
DISPUTED_SHOWN = 50


def paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, each unwrapped: dossier files hard-wrap their lines.

    (Django's ``linebreaks`` would turn every wrapped line into a <br>.)
    """
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


@dataclass(frozen=True)
class Cite:
    """A citation as a page shows it: with the number its source has on that page."""

    citation: Citation
    mark: int | None

    @property
    def source(self) -> Source:
        return self.citation.source

    @property
    def locator(self) -> str:
        return self.citation.locator


@dataclass(frozen=True)
class ValueGroup:
    """One value a disputed fact is given, and the citations that give it."""

    value: str
    cites: list[Cite]


def value_groups(cites: Iterable[Cite]) -> list[ValueGroup]:
    """Citations grouped by the value they give, spellings that normalise alike together.

    Order follows the citations, so the first source's value comes first.
    """
    groups: dict[str, ValueGroup] = {}
    for cite in cites:
        value = cite.citation.value
        if not value:
            continue
        groups.setdefault(normalise(value), ValueGroup(value=value, cites=[])).cites.append(cite)
    return list(groups.values())


@dataclass(frozen=True)
class Passage:
    section: Section
    tags: list[Tag]
    cites: list[Cite]

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.section.body)


@dataclass(frozen=True)
class TimelineEntry:
    event: TimelineEvent
    tags: list[Tag]
    cites: list[Cite]
    passage: Section | None


@dataclass(frozen=True)
class SourceEntry:
    source: Source
    number: int
    definition_count: int = 0
    section_count: int = 0
    event_count: int = 0
    fact_count: int = 0

    @property
    def uses(self) -> str:
        """ "the definition, 4 sections and 12 facts": what it is cited for, zeros left out."""
        parts = ["the definition"] if self.definition_count else []
        for count, noun in (
            (self.section_count, "section"),
            (self.fact_count, "fact"),
            (self.event_count, "event"),
        ):
            if count:
                parts.append(f"{count} {noun}{'' if count == 1 else 's'}")
        if len(parts) > 1:
            return f"{', '.join(parts[:-1])} and {parts[-1]}"
        return parts[0] if parts else ""


@dataclass(frozen=True)
class DisputedFact:
    fact: Fact
    value_groups: list[ValueGroup]
    passage: Section | None
    timeline_event: TimelineEvent | None


@dataclass(frozen=True)
class DossierPage:
    topic: Topic
    disputed_count: int
    definition: list[str]
    definition_cites: list[Cite]
    passages: list[Passage]
    timeline: list[TimelineEntry]
    sources: list[SourceEntry]
    disputed_facts: list[DisputedFact] = field(default_factory=list)

    @property
    def disputed_hidden(self) -> int:
        return self.disputed_count - len(self.disputed_facts)


class _DisputedCount(TypedDict):
    disputed_count: int


class _FactCount(TypedDict):
    fact_count: int


def _fact_count() -> Coalesce:
    """Facts a source is cited for: a distinct count on the (source, fact) index, no join."""
    rows = (
        Citation.objects.filter(source=OuterRef("pk"), fact__isnull=False)
        .order_by()
        .values("source")
        .annotate(n=Count("fact", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _tagged(rows: Iterable[Any]) -> list[tuple[Any, list[Tag]]]:
    """Rows annotated with one tag each (``tag_pk``, ``tag_slug``, ``tag_name``; None when
    untagged), folded back to one object per pk with its tags, in row order."""
    objects: dict[int, tuple[Any, list[Tag]]] = {}
    for row in rows:
        _, tags = objects.setdefault(row.pk, (row, []))
        if row.tag_pk is not None:
            tags.append(Tag(pk=row.tag_pk, slug=row.tag_slug, name=row.tag_name))
    return list(objects.values())


def _citations_shown(
    topic: Topic, disputed_count: int, section_ids: list[int], event_ids: list[int], *, show_all: bool
) -> list[Citation]:
    """Every citation the dossier page shows, with its source and fact, in one query.

    A UNION ALL of one indexed read per kind (definition, sections, events, disputed
    facts): an OR of the four would leave PostgreSQL scanning every citation of the bank.
    The disputed facts are the first ``DISPUTED_SHOWN`` by pk, or all with ``show_all``.
    """
    base = Citation.objects.select_related("source", "fact").order_by()
    parts = [base.filter(section_id__in=section_ids), base.filter(event_id__in=event_ids)]
    if disputed_count:
        disputed = topic.facts.disputed_only().order_by("pk").values("pk")
        parts.append(base.filter(fact_id__in=disputed if show_all else disputed[:DISPUTED_SHOWN]))
    return list(base.filter(topic_id=topic.pk).union(*parts, all=True).order_by("pk"))


def dossier_page(slug: str, *, show_all_disputed: bool = False) -> DossierPage:
    """A published dossier as its page shows it, or Http404. Five queries, whatever its size.

    The topic with its disputed-fact count; the sections and the events, each with its
    tags by a join; the sources, each with the number of facts it is cited for; and every
    citation shown (definition, sections, events, disputed facts) in one query, split here.
    The disputed facts are the ones those citations belong to: the first
    ``DISPUTED_SHOWN`` by pk, or all of them with ``show_all_disputed``.
    """
    topic: WithAnnotations[Topic, _DisputedCount] | None = (
        Topic.objects.published()
        .filter(slug=slug)
        .annotate(disputed_count=count_per_topic(Fact, disputed=True))
        .first()
    )
    if topic is None:
        raise Http404("No such dossier.")
    tag_columns = {"tag_pk": F("tags__pk"), "tag_slug": F("tags__slug"), "tag_name": F("tags__name")}
    sections = _tagged(topic.sections.annotate(**tag_columns).order_by("order", "pk", "tags__name"))
    events = _tagged(
        topic.events.annotate(**tag_columns).order_by("year", "month", "day", "pk", "tags__name")
    )
    sources: list[WithAnnotations[Source, _FactCount]] = list(
        topic.sources.annotate(fact_count=_fact_count()).order_by("order", "key")
    )
    citations = _citations_shown(
        topic,
        topic.disputed_count,
        [s.pk for s, _ in sections],
        [e.pk for e, _ in events],
        show_all=show_all_disputed,
    )

    numbers = {source.pk: number for number, source in enumerate(sources, start=1)}
    cites: dict[tuple[str, int], list[Cite]] = {}
    cited: dict[int, dict[str, set[int]]] = {
        s.pk: {"topic": set(), "section": set(), "event": set()} for s in sources
    }
    disputed: dict[int, Fact] = {}
    for citation in citations:
        cite = Cite(citation, numbers.get(citation.source_id))
        if citation.fact is not None:  # loaded with the citation (select_related)
            disputed.setdefault(citation.fact.pk, citation.fact)
        for owner in ("topic", "section", "event", "fact"):
            target = getattr(citation, f"{owner}_id")
            if target is None:
                continue
            cites.setdefault((owner, target), []).append(cite)
            if owner != "fact" and citation.source_id in cited:
                cited[citation.source_id][owner].add(target)

    sections_by_pk: dict[int | None, Section] = {s.pk: s for s, _ in sections}
    events_by_pk: dict[int | None, TimelineEvent] = {e.pk: e for e, _ in events}
    return DossierPage(
        topic=topic,
        disputed_count=topic.disputed_count,
        definition=paragraphs(topic.definition),
        definition_cites=cites.get(("topic", topic.pk), []),
        passages=[
            Passage(section, tags, cites.get(("section", section.pk), [])) for section, tags in sections
        ],
        timeline=[
            TimelineEntry(
                event,
                tags,
                cites.get(("event", event.pk), []),
                sections_by_pk.get(event.section_id),
            )
            for event, tags in events
        ],
        sources=[
            SourceEntry(
                source,
                numbers[source.pk],
                definition_count=len(cited[source.pk]["topic"]),
                section_count=len(cited[source.pk]["section"]),
                event_count=len(cited[source.pk]["event"]),
                fact_count=source.fact_count,
            )
            for source in sources
        ],
        disputed_facts=[
            DisputedFact(
                fact,
                value_groups(cites.get(("fact", fact.pk), [])),
                sections_by_pk.get(fact.section_id),
                events_by_pk.get(fact.event_id),
            )
            for fact in sorted(disputed.values(), key=lambda fact: fact.pk)
        ],
    )


#: Tags shown on a dossier's card on the home page; the rest are counted.
HOME_TAG_LIMIT = 6


@dataclass(frozen=True)
class TopicCard:
    """A dossier on the home page: the topic (with its counts) and its most used tags."""

    topic: Topic
    tags: list[Tag]

    @property
    def top_tags(self) -> list[Tag]:
        return self.tags[:HOME_TAG_LIMIT]

    @property
    def more_tag_count(self) -> int:
        return max(0, len(self.tags) - HOME_TAG_LIMIT)


def topic_cards() -> list[TopicCard]:
    """The published dossiers with their counts and tags: three queries."""
    topics = list(Topic.objects.published().with_counts())
    tags = _tags_by_topic([t.pk for t in topics])
    return [TopicCard(topic, tags.get(topic.pk, [])) for topic in topics]


def _tags_by_topic(topic_ids: Sequence[int]) -> dict[int, list[Tag]]:
    """Each topic's tags (from its sections and facts), the most used first. Two queries."""
    used: dict[int, dict[int, int]] = {}
    tags: dict[int, Tag] = {}
    for through, owner in ((Section.tags.through, "section"), (Fact.tags.through, "fact")):
        rows = (
            through.objects.filter(**{f"{owner}__topic_id__in": topic_ids})
            .values_list(f"{owner}__topic_id", "tag_id", "tag__slug", "tag__name")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for topic_id, tag_id, slug, name, n in rows:
            tags.setdefault(tag_id, Tag(pk=tag_id, slug=slug, name=name))
            counts = used.setdefault(topic_id, {})
            counts[tag_id] = counts.get(tag_id, 0) + n
    return {
        topic_id: [tags[t] for t in sorted(counts, key=lambda t: (-counts[t], tags[t].name))]
        for topic_id, counts in used.items()
    }
