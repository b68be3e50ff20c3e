"""The study pages: the dossier list, a dossier, a tag, and search.

Every page reads a fixed number of queries whatever the size of the dossier: related rows
come through ``select_related`` or ``Prefetch`` objects, counts through subqueries, and
the little that is computed per row (cite marks, value groups of a disputed fact) is
computed here in Python from rows already loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic, normalise
from quiz.generation.questions import NotAskable, fact_stem

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.http import HttpRequest, HttpResponse

SEARCH_PAGE_SIZE = 20
HOME_TAG_LIMIT = 6


def _count_per_topic(model: type[Section | TimelineEvent | Fact], **filters: object) -> Coalesce:
    """A correlated COUNT subquery: no join fan-out when several counts sit on one row."""
    rows = (
        model.objects.filter(topic=OuterRef("pk"), **filters)
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


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


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    topics = list(
        Topic.objects.published().annotate(
            section_count=_count_per_topic(Section),
            event_count=_count_per_topic(TimelineEvent),
            fact_count=_count_per_topic(Fact),
            disputed_count=_count_per_topic(Fact, disputed=True),
        )
    )
    tags = _tags_by_topic([t.pk for t in topics])
    for topic in topics:
        topic_tags = tags.get(topic.pk, [])
        topic.top_tags = topic_tags[:HOME_TAG_LIMIT]
        topic.more_tag_count = max(0, len(topic_tags) - HOME_TAG_LIMIT)
    return render(request, "content/home.html", {"topics": topics})


def paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, each unwrapped: dossier files hard-wrap their lines.

    (Django's ``linebreaks`` would turn every wrapped line into a <br>.)
    """
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


@dataclass(frozen=True)
class ValueGroup:
    """One value a disputed fact is given, and the citations that give it."""

    value: str
    citations: list[Citation]


def value_groups(citations: Iterable[Citation]) -> list[ValueGroup]:
    """Citations grouped by the value they give, spellings that normalise alike together.

    Order follows the citations, so the first source's value comes first.
    """
    groups: dict[str, ValueGroup] = {}
    for citation in citations:
        if not citation.value:
            continue
        key = normalise(citation.value)
        if key not in groups:
            groups[key] = ValueGroup(value=citation.value, citations=[])
        groups[key].citations.append(citation)
    return list(groups.values())


def _mark_citations(numbers: dict[int, int], *owners: Iterable) -> None:
    """Give every loaded citation the number of its source in the Sources list ([1], [2]...)."""
    for group in owners:
        for owner in group:
            for citation in owner.cite_list:
                citation.mark = numbers.get(citation.source_id)


def fact_question(fact: Fact) -> str:
    """The fact as the trivia asks it, to head it on the study pages."""
    try:
        return fact_stem(fact)
    except NotAskable:
        return fact.subject[:1].upper() + fact.subject[1:]


def source_uses(source: Source) -> str:
    """ "the definition, 4 sections and 12 facts": what the source is cited for, zeros left out."""
    parts = ["the definition"] if source.definition_count else []
    for count, noun in (
        (source.section_count, "section"),
        (source.fact_count, "fact"),
        (source.event_count, "event"),
    ):
        if count:
            parts.append(f"{count} {noun}{'' if count == 1 else 's'}")
    if len(parts) > 1:
        return f"{', '.join(parts[:-1])} and {parts[-1]}"
    return parts[0] if parts else ""


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    citations = Citation.objects.select_related("source").order_by("pk")
    topic = get_object_or_404(
        Topic.objects.published().prefetch_related(
            Prefetch("definition_citations", queryset=citations, to_attr="cite_list")
        ),
        slug=slug,
    )
    sections = list(
        topic.sections.prefetch_related(
            "tags", Prefetch("citations", queryset=citations, to_attr="cite_list")
        ).order_by("order", "pk")
    )
    events = list(
        topic.events.select_related("section")
        .prefetch_related("tags", Prefetch("citations", queryset=citations, to_attr="cite_list"))
        .order_by("year", "month", "day", "pk")
    )
    sources = list(
        topic.sources.annotate(
            section_count=Count("citations__section", distinct=True),
            fact_count=Count("citations__fact", distinct=True),
            event_count=Count("citations__event", distinct=True),
            definition_count=Count("citations__topic", distinct=True),
        ).order_by("order", "key")
    )
    disputed = list(
        topic.facts.disputed_only()
        .select_related("section", "event")
        .prefetch_related(Prefetch("citations", queryset=citations, to_attr="cite_list"))
        .order_by("pk")
    )
    numbers = {source.pk: number for number, source in enumerate(sources, start=1)}
    for number, source in enumerate(sources, start=1):
        source.number = number
    _mark_citations(numbers, [topic], sections, events, disputed)
    topic.paragraphs = paragraphs(topic.definition)
    for section in sections:
        section.paragraphs = paragraphs(section.body)
    for fact in disputed:
        fact.value_groups = value_groups(fact.cite_list)
        fact.question = fact_question(fact)
    for source in sources:
        source.uses = source_uses(source)
    for event in events:
        # date_label ends with "–<end year>" for a period; the page marks each end up with <time>.
        event.start_label = event.date_label.removesuffix(f"–{event.end_year}")
        event.is_period = bool(event.end_year and event.end_year != event.year)
    return render(
        request,
        "content/topic_detail.html",
        {
            "topic": topic,
            "sections": sections,
            "events": events,
            "sources": sources,
            "disputed_facts": disputed,
        },
    )


@require_GET
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    sections = (
        tag.sections.filter(topic__published=True)
        .select_related("topic")
        .order_by("topic__title", "order", "pk")
    )
    facts = list(
        tag.facts.filter(topic__published=True)
        .select_related("topic", "section", "event")
        .order_by("topic__title", "topic_id", "pk")
    )
    for fact in facts:
        fact.url = fact_url(fact)
        fact.question = fact_question(fact)
    return render(request, "content/tag_detail.html", {"tag": tag, "sections": sections, "facts": facts})


def highlight(text: str, query: str, width: int = 200) -> SafeString:
    """A window of ``text`` around the first match of ``query``, every match in <mark>.

    Safe by construction: the text is cut at the matches *before* escaping, each piece is
    escaped, and only our own <mark> tags are added (matching inside escaped text could
    split an entity such as ``&amp;``).
    """
    text = " ".join(text.split())
    if not query:
        return escape(text[:width])
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    first = pattern.search(text)
    start = 0
    if first and len(text) > width:
        start = max(0, first.start() - width // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (first.end() if first else start) else end
    window = text[start:end]
    pieces: list[str] = ["…" if start else ""]
    position = 0
    for match in pattern.finditer(window):
        pieces += [escape(window[position : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        position = match.end()
    pieces += [escape(window[position:]), "…" if end < len(text) else ""]
    return mark_safe("".join(pieces))  # every piece of text above is escaped


@dataclass
class SearchHit:
    kind: str  # "passage" or "fact"
    obj: Section | Fact
    snippet: SafeString
    url: str


class _Results:
    """Passages then facts as one sequence the Paginator can count and slice lazily.

    Two COUNTs and at most two LIMIT/OFFSET queries per page, whatever the hit count.
    """

    def __init__(self, sections: QuerySet[Section], facts: QuerySet[Fact], query: str) -> None:
        self.sections, self.facts, self.query = sections, facts, query
        self._section_count: int | None = None
        self._fact_count: int | None = None

    @property
    def section_count(self) -> int:
        if self._section_count is None:
            self._section_count = self.sections.count()
        return self._section_count

    @property
    def fact_count(self) -> int:
        if self._fact_count is None:
            self._fact_count = self.facts.count()
        return self._fact_count

    def count(self) -> int:
        return self.section_count + self.fact_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, bounds: slice) -> list[SearchHit]:
        start, stop = bounds.start or 0, bounds.stop
        hits: list[SearchHit] = []
        if start < self.section_count:
            for section in self.sections[start : min(stop, self.section_count)]:
                text = section.body if self.query.casefold() in section.body.casefold() else section.context
                hits.append(
                    SearchHit("passage", section, highlight(text, self.query), section.get_absolute_url())
                )
        fact_start = max(0, start - self.section_count)
        fact_stop = stop - self.section_count
        if fact_stop > 0:
            for fact in self.facts[fact_start:fact_stop]:
                fact.question = fact_question(fact)
                hits.append(SearchHit("fact", fact, _fact_snippet(fact, self.query), fact_url(fact)))
        return hits


def _fact_snippet(fact: Fact, query: str) -> SafeString:
    folded = query.casefold()
    for text in (fact.statement, fact.subject, fact.answer, *(fact.aliases or [])):
        if folded in text.casefold():
            return highlight(text, query)
    return highlight(fact.statement, query)


def fact_url(fact: Fact) -> str:
    """Where a fact is explained: its passage, else its timeline event, else its dossier."""
    # A fact's section and event belong to its own dossier, so the topic already loaded serves.
    if fact.section_id:
        return f"{fact.topic.get_absolute_url()}#{fact.section.anchor}"
    if fact.event_id:
        return f"{fact.topic.get_absolute_url()}#{fact.event.anchor}"
    if fact.disputed:
        return f"{fact.topic.get_absolute_url()}#fact-{fact.slug}"
    return fact.topic.get_absolute_url()


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:200]
    page = None
    if query:
        sections = (
            Section.objects.filter(topic__published=True)
            .filter(Q(context__icontains=query) | Q(body__icontains=query))
            .select_related("topic")
            .order_by("topic__title", "order", "pk")
        )
        # icontains on a JSONField compares its text form: portable, and good enough for
        # the short alias lists (a spelling with escaped characters may be missed on SQLite).
        facts = (
            Fact.objects.filter(topic__published=True)
            .filter(
                Q(subject__icontains=query)
                | Q(statement__icontains=query)
                | Q(answer__icontains=query)
                | Q(aliases__icontains=query)
            )
            .select_related("topic", "section", "event")
            .order_by("topic__title", "pk")
        )
        page = Paginator(_Results(sections, facts, query), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    page_range = page.paginator.get_elided_page_range(page.number) if page else []
    context = {"query": query, "page": page, "page_range": page_range}
    template = "content/search.html#results" if getattr(request, "htmx", False) else "content/search.html"
    return render(request, template, context)
