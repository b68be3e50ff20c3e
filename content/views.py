"""The study pages: the dossier list, a dossier, a tag, and search.

Every page reads a fixed number of queries whatever the size of the dossier: related rows
come through ``select_related`` or ``Prefetch`` objects, counts through subqueries, and
the little that is computed per row (cite marks, value groups of a disputed fact) is
computed here in Python from rows already loaded.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from config.htmx import is_partial, vary_on_htmx
from content import pages
from content.models import Tag, Topic
from content.search import MAX_QUERY_CHARS, SearchHit, find

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
    admin edit of the dossier (and a teacher's quiz on it) moves on. The stamp itself is
    read through the cache (:meth:`TopicQuerySet.page_stamp`), so a warm page for an
    anonymous reader reads nothing from the database; a signed-in reader's session and
    user cost what they cost on every page. The page
    carries an ETag of the stamp and the reader, so a browser revalidates it with a 304.
    The quizzes teachers published on it come from the quiz app's template tag.
    """
    show_all = request.GET.get("disputed") == "all"
    topic = Topic.objects.page_stamp(slug)
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


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search as students type (content.search has the rules); htmx gets the results only.

    Back and Forward ask htmx to restore a page it has not kept (``historyCacheSize`` is 0):
    that request gets the whole page.
    """
    # NUL cannot be stored or matched; the box keeps what was typed, cut as the search cuts it.
    typed = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:MAX_QUERY_CHARS]
    results = find(typed)
    page: Page[SearchHit] | None = None
    if typed:
        paginator: Paginator[SearchHit] = Paginator(results, SEARCH_PAGE_SIZE)  # type: ignore[arg-type]  # it only counts and slices, the stub also wants iteration
        page = paginator.get_page(request.GET.get("page"))
    context = {
        "typed": typed,
        "query": results.query,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number) if page else [],
    }
    template = "content/search.html#results" if is_partial(request) else "content/search.html"
    return vary_on_htmx(render(request, template, context))
