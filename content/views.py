"""The study pages: the dossier list, a dossier, a tag, and search.

Every page reads a fixed number of queries whatever the size of the dossier: related rows
come through ``select_related`` or ``Prefetch`` objects, counts through subqueries, and
the little that is computed per row (cite marks, value groups of a disputed fact) is
computed here in Python from rows already loaded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from config.htmx import is_partial, vary_on_htmx
from content import pages
from content.models import Fact, Section, Tag, Topic

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

SEARCH_PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "content/home.html", {"cards": pages.topic_cards()})


#: How long a rendered dossier body stays cached. Its key changes with the dossier, so this
#: only bounds the memory a dossier nobody reads any more keeps.
DOSSIER_CACHE_SECONDS = 24 * 60 * 60


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A dossier: definition, passages, timeline, sources and disputed facts (content.pages).

    The body is the same for every reader, so it is rendered once per change of the
    dossier and cached: the key holds ``Topic.updated_at``, which every import and every
    admin edit of the dossier (and a teacher's quiz on it) moves on. A warm page costs one
    query for the topic's stamp, plus the session and user as every page does. The page
    carries an ETag of the stamp and the reader, so a browser revalidates it with a 304.
    The quizzes teachers published on it come from the quiz app's template tag.
    """
    show_all = request.GET.get("disputed") == "all"
    topic = (
        Topic.objects.published()
        .filter(slug=slug)
        .only("pk", "slug", "title", "summary", "updated_at")
        .first()
    )
    if topic is None:
        raise Http404("No such dossier.")
    stamp = f"{topic.pk}:{topic.updated_at.timestamp()}:{int(show_all)}"
    etag = hashlib.sha256(f"{stamp}:{request.user.pk or 0}".encode()).hexdigest()[:32]
    if not len(get_messages(request)):  # a page with a message to show is never a 304
        not_modified = get_conditional_response(
            request, etag=f'"{etag}"', last_modified=int(topic.updated_at.timestamp())
        )
        if not_modified is not None:
            return not_modified
    key = f"dossier-body:{stamp}"
    body = cache.get(key)
    if body is None:
        page = pages.dossier_page(slug, show_all_disputed=show_all)
        body = render_to_string(
            "content/dossier_body.html", {"page": page, "topic": page.topic}, request=None
        )
        cache.set(key, body, DOSSIER_CACHE_SECONDS)
    response = render(request, "content/topic_detail.html", {"topic": topic, "body": body})
    response["ETag"] = f'"{etag}"'
    response["Last-Modified"] = http_date(topic.updated_at.timestamp())
    patch_cache_control(response, private=True, no_cache=True)
    return response


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
                hits.append(SearchHit("fact", fact, _fact_snippet(fact, self.query), fact.get_absolute_url()))
        return hits


def _fact_snippet(fact: Fact, query: str) -> SafeString:
    folded = query.casefold()
    for text in (fact.statement, fact.subject, fact.answer, *(fact.aliases or [])):
        if folded in text.casefold():
            return highlight(text, query)
    return highlight(fact.statement, query)


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
    template = "content/search.html#results" if is_partial(request) else "content/search.html"
    return vary_on_htmx(render(request, template, context))
