"""The study pages: the dossier list, a dossier, a tag, and search.

Every page reads a fixed number of queries whatever the size of the dossier: related rows
come through ``select_related`` or ``Prefetch`` objects, counts through subqueries, and
the little that is computed per row (cite marks, value groups of a disputed fact) is
computed here in Python from rows already loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, overload

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic, normalise
from quiz.generation.questions import NotAskable, fact_stem
from quiz.models import Quiz

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.http import HttpRequest, HttpResponse
    from django_stubs_ext import WithAnnotations

SEARCH_PAGE_SIZE = 20
HOME_TAG_LIMIT = 6
#: Disputed facts listed on a dossier page; the rest behind a link (``?disputed=all``).
DISPUTED_SHOWN = 50


class _DisputedCount(TypedDict):
    disputed_count: int


class _FactCount(TypedDict):
    fact_count: int


class _TagColumns(TypedDict):
    tag_pk: int | None
    tag_slug: str  # like tag_name, None only when tag_pk is
    tag_name: str


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


def fact_question(fact: Fact) -> str:
    """The fact as the trivia asks it, to head it on the study pages."""
    try:
        return fact_stem(fact)
    except NotAskable:
        return fact.subject[:1].upper() + fact.subject[1:]


def source_uses(source: WithAnnotations[Source, _FactCount]) -> str:
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


def _dossier_topic(slug: str) -> WithAnnotations[Topic, _DisputedCount]:
    """The published topic, its disputed-fact count and its other published quizzes: one query.

    The quizzes come through a LEFT JOIN on a filtered relation (the conditions of
    ``Quiz.objects.published()``, default quiz left out), so the row repeats once per
    quiz: a teacher publishes a handful, and the dossier page keeps its query budget.
    """
    listed = FilteredRelation("quizzes", condition=Q(quizzes__published=True, quizzes__is_default=False))
    rows = list(
        Topic.objects.published()
        .filter(slug=slug)
        .annotate(
            disputed_count=_count_per_topic(Fact, disputed=True),
            listed=listed,
            quiz_pk=F("listed__pk"),
            quiz_slug=F("listed__slug"),
            quiz_title=F("listed__title"),
        )
        .order_by("quiz_title", "quiz_pk")
    )
    if not rows:
        raise Http404("No such dossier.")
    topic = rows[0]
    topic.other_quizzes = [
        Quiz(pk=row.quiz_pk, slug=row.quiz_slug, title=row.quiz_title, topic_id=topic.pk)
        for row in rows
        if row.quiz_pk is not None
    ]
    return topic


@overload
def _with_tag_rows(rows: Iterable[WithAnnotations[Section, _TagColumns]]) -> list[Section]: ...
@overload
def _with_tag_rows(rows: Iterable[WithAnnotations[TimelineEvent, _TagColumns]]) -> list[TimelineEvent]: ...
def _with_tag_rows(
    rows: Iterable[WithAnnotations[Section, _TagColumns] | WithAnnotations[TimelineEvent, _TagColumns]],
) -> list[Any]:
    """Rows annotated with one tag each (``tag_pk``, ``tag_slug``, ``tag_name``; None when
    untagged), folded back to one object per pk, its tags in ``tag_list``, in row order."""
    objects: dict[int, Section | TimelineEvent] = {}
    for row in rows:
        obj = objects.setdefault(row.pk, row)
        if obj is row:
            obj.tag_list = []
        if row.tag_pk is not None:
            obj.tag_list.append(Tag(pk=row.tag_pk, slug=row.tag_slug, name=row.tag_name))
    return list(objects.values())


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


def _count_uses(
    sources: Sequence[WithAnnotations[Source, _FactCount]], citations: Iterable[Citation]
) -> None:
    """Definition, sections and events each source is cited for, from the citations loaded."""
    cited: dict[int, dict[str, set[int]]] = {
        s.pk: {"topic": set(), "section": set(), "event": set()} for s in sources
    }
    for citation in citations:
        for field in ("topic", "section", "event"):
            target = getattr(citation, f"{field}_id")
            if target is not None and citation.source_id in cited:
                cited[citation.source_id][field].add(target)
    for source in sources:
        source.definition_count = len(cited[source.pk]["topic"])
        source.section_count = len(cited[source.pk]["section"])
        source.event_count = len(cited[source.pk]["event"])
        source.uses = source_uses(source)


def _citations_shown(
    topic: WithAnnotations[Topic, _DisputedCount],
    sections: Sequence[Section],
    events: Sequence[TimelineEvent],
    *,
    show_all: bool,
) -> list[Citation]:
    """Every citation the dossier page shows, with its source and fact, in one query.

    A UNION ALL of one indexed read per kind (definition, sections, events, disputed
    facts): an OR of the four would leave PostgreSQL scanning every citation of the bank.
    The disputed facts are the first ``DISPUTED_SHOWN`` by pk, or all with ``show_all``.
    """
    base = Citation.objects.select_related("source", "fact").order_by()
    parts = [
        base.filter(section_id__in=[section.pk for section in sections]),
        base.filter(event_id__in=[event.pk for event in events]),
    ]
    if topic.disputed_count:
        disputed = topic.facts.disputed_only().order_by("pk").values("pk")
        parts.append(base.filter(fact_id__in=disputed if show_all else disputed[:DISPUTED_SHOWN]))
    return list(base.filter(topic_id=topic.pk).union(*parts, all=True).order_by("pk"))


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A dossier: definition, passages, timeline, sources, disputed facts and other quizzes.

    Five queries whatever the size of the dossier: the topic (with its disputed count and
    other published quizzes); the sections and the events, each with its tags by a join;
    the sources, each with the number of facts it is cited for; and every citation shown
    (definition, sections, events, disputed facts) in one query, split here. The disputed
    facts are the ones those citations belong to: the first ``DISPUTED_SHOWN`` by pk, or
    all of them with ``?disputed=all`` (the link under the list).
    """
    topic = _dossier_topic(slug)
    show_all = request.GET.get("disputed") == "all"
    # The tag columns are spelled out (not a shared dict) so that mypy's Django plugin sees them.
    sections = _with_tag_rows(
        topic.sections.annotate(
            tag_pk=F("tags__pk"), tag_slug=F("tags__slug"), tag_name=F("tags__name")
        ).order_by("order", "pk", "tag_name")
    )
    events = _with_tag_rows(
        topic.events.all()
        .annotate(tag_pk=F("tags__pk"), tag_slug=F("tags__slug"), tag_name=F("tags__name"))
        .order_by("year", "month", "day", "pk", "tag_name")
    )
    sources = list(topic.sources.annotate(fact_count=_fact_count()).order_by("order", "key"))
    citations = _citations_shown(topic, sections, events, show_all=show_all)

    numbers = {source.pk: number for number, source in enumerate(sources, start=1)}
    for source in sources:
        source.number = numbers[source.pk]
    _count_uses(sources, citations)
    sections_by_pk: dict[int | None, Section] = {section.pk: section for section in sections}
    events_by_pk: dict[int | None, TimelineEvent] = {event.pk: event for event in events}
    owners: dict[tuple[str, int], list[Citation]] = {}
    disputed: dict[int, Fact] = {}
    for citation in citations:
        citation.mark = numbers.get(citation.source_id)
        if citation.fact is not None:  # loaded with the citation (select_related)
            disputed.setdefault(citation.fact.pk, citation.fact)
        for field in ("topic", "section", "event", "fact"):
            target = getattr(citation, f"{field}_id")
            if target is not None:
                owners.setdefault((field, target), []).append(citation)
    topic.cite_list = owners.get(("topic", topic.pk), [])
    topic.paragraphs = paragraphs(topic.definition)
    for section in sections:
        section.cite_list = owners.get(("section", section.pk), [])
        section.paragraphs = paragraphs(section.body)
    for event in events:
        event.cite_list = owners.get(("event", event.pk), [])
        event.passage = sections_by_pk.get(event.section_id)
        # date_label ends with "–<end year>" for a period; the page marks each end up with <time>.
        event.start_label = event.date_label.removesuffix(f"–{event.end_year}")
        event.is_period = bool(event.end_year and event.end_year != event.year)
    disputed_facts = sorted(disputed.values(), key=lambda fact: fact.pk)
    for fact in disputed_facts:
        fact.value_groups = value_groups(owners.get(("fact", fact.pk), []))
        fact.question = fact_question(fact)
        fact.passage = sections_by_pk.get(fact.section_id)
        fact.timeline_event = events_by_pk.get(fact.event_id)
    return render(
        request,
        "content/topic_detail.html",
        {
            "topic": topic,
            "sections": sections,
            "events": events,
            "sources": sources,
            "disputed_facts": disputed_facts,
            "disputed_hidden": topic.disputed_count - len(disputed_facts),
            "other_quizzes": topic.other_quizzes,
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
    if fact.section is not None:
        return f"{fact.topic.get_absolute_url()}#{fact.section.anchor}"
    if fact.event is not None:
        return f"{fact.topic.get_absolute_url()}#{fact.event.anchor}"
    if fact.disputed:
        # The dossier page lists only the first disputed facts unless asked for all.
        return f"{fact.topic.get_absolute_url()}?disputed=all#fact-{fact.slug}"
    return fact.topic.get_absolute_url()


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # NUL cannot be stored or matched (PostgreSQL refuses it; SQLite would match everything).
    query = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:200]
    page: Page[SearchHit] | None = None
    if query:
        sections = (
            Section.objects.filter(topic__published=True)
            .filter(Q(context__icontains=query) | Q(body__icontains=query))
            .select_related("topic")
            .order_by("topic__title", "order", "pk")
        )
        facts = (
            Fact.objects.filter(topic__published=True)
            .filter(
                Q(subject__icontains=query)
                | Q(statement__icontains=query)
                | Q(answer__icontains=query)
                | Q(aliases__any_icontains=query)  # each alias, not the list's JSON text
            )
            .select_related("topic", "section", "event")
            .order_by("topic__title", "pk")
        )
        results = _Results(sections, facts, query)
        paginator: Paginator[SearchHit] = Paginator(results, SEARCH_PAGE_SIZE)  # type: ignore[arg-type]  # it only counts and slices, the stub also wants iteration
        page = paginator.get_page(request.GET.get("page"))
    page_range = page.paginator.get_elided_page_range(page.number) if page else []
    context = {"query": query, "page": page, "page_range": page_range}
    template = "content/search.html#results" if getattr(request, "htmx", False) else "content/search.html"
    return render(request, template, context)
