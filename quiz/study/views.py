"""The study pages: ``/review/`` and its session, what the player knows per passage, progress.

The views read the clock once (``timezone.now()``) and pass it down; everything below
takes the time as a parameter. Every view that reads the cards first brings them up to
date with the player's answers (:func:`memory.catch_up`). The navigation's due count does
not: a fact answered in a quiz still running counts as due there until the quiz ends.
Pages about one player are never cached; the dossier page (cached for everyone) loads its
personal part from :func:`dossier_memory` with htmx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.htmx import HtmxHttpRequest as HttpRequest
from config.htmx import is_partial
from content.models import Topic
from quiz.models import Player
from quiz.study import chart, memory, sessions
from quiz.study.forms import StudySettingsForm

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest as DjangoHttpRequest

    from quiz.permissions import AuthenticatedHttpRequest

NOTHING_DUE = "Nothing to review right now. Play a quiz to meet new facts, or come back when some are due."
NOTHING_MET = "Play a quiz first: your weakest passage is found among the facts you have met."


def nav_counts(request: DjangoHttpRequest) -> dict[str, Callable[[], int]]:
    """Context processor: ``study_due``, the count in the navigation.

    A callable, so only a template that shows it runs the query (one COUNT on the
    ``(player, due)`` index, once per request), and none for a visitor without a session.
    A view that has counted already leaves the number on the request.
    """

    def due() -> int:
        counted = getattr(request, "study_due", None)
        if counted is None:  # counted once per request: the header shows the nav twice (wide, narrow)
            counted = memory.due_count(Player.of(request), timezone.now())
            request.study_due = counted  # type: ignore[attr-defined]  # a per-request cache
        return counted

    return {"study_due": due}


@never_cache
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """GET: how many facts are due and how many new ones today. POST: start a session."""
    now = timezone.now()
    memory.catch_up(Player.of(request), now)
    if request.method == "POST":
        attempt = sessions.start_session(Player.of(request, create_session=True), now)
        if attempt is None:
            messages.info(request, NOTHING_DUE)
            return redirect("review")
        return redirect(attempt)
    player = Player.of(request)
    due = memory.due_count(player, now)
    request.study_due = due  # type: ignore[attr-defined]  # the nav's count, already known
    allowance = sessions.new_allowance(player, now)
    new = len(sessions.new_facts(player, min(allowance, sessions.SESSION_SIZE)))
    key = memory.key_of(player)
    next_due = (
        memory.MemoryCard.objects.filter(player=key, due__gt=now)
        .order_by("due")
        .values_list("due", flat=True)
        .first()
        if key and not due
        else None
    )
    context = {
        "due": due,
        "new": new,
        "allowance": allowance,
        "next_due": next_due,
        "session_size": sessions.SESSION_SIZE,
    }
    return render(request, "quiz/study/review.html", context)


@never_cache
@require_GET
def dossier_memory(request: HttpRequest, slug: str) -> HttpResponse:
    """What the player knows of each passage of a dossier: a fragment for the dossier page
    (htmx, loaded after the cached page), or a page of its own without JavaScript."""
    topic = get_object_or_404(Topic.objects.published(), slug=slug)
    now = timezone.now()
    player = Player.of(request)
    memory.catch_up(player, now)
    fragment = is_partial(request)
    # A visitor who has met nothing needs no counting for the fragment's one sentence.
    has_cards = bool(memory.key_of(player)) or not fragment
    counts = memory.passage_counts(player, topic.pk, now) if has_cards else {}
    sections = list(topic.sections.order_by("order", "pk").only("pk", "slug", "context", "topic_id"))
    rows = []
    for section in sections:
        section.topic = topic
        rows.append((section, counts.get(section.pk, memory.PassageCounts(0, 0, 0))))
    met = sum(c.met for _, c in rows)
    context = {
        "topic": topic,
        "rows": rows,
        "met": met,
        "known": sum(c.known for _, c in rows),
        "due": sum(c.due for _, c in rows),
        "total": sum(c.total for _, c in rows),
        "never_met": sum(c.never_met for _, c in rows),
    }
    template = "quiz/study/dossier.html#memory" if fragment else "quiz/study/dossier.html"
    response = render(request, template, {**context, "fragment": fragment})
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    return response


@never_cache
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """Per passage and per tag, the share of facts the player is likely to recall today."""
    player, now = Player.of(request), timezone.now()
    memory.catch_up(player, now)
    report = memory.progress(player, now)
    context = {
        "report": report,
        "passages": chart.recall_chart(report.passages),
        "tags": chart.recall_chart(report.tags),
        "weakest": report.weakest,
        "fragment": is_partial(request),
    }
    template = "quiz/study/progress.html#progress" if context["fragment"] else "quiz/study/progress.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    return response


@require_POST
def weakest(request: HttpRequest) -> HttpResponse:
    """Start a quiz on the passage or tag with the lowest recall today."""
    player, now = Player.of(request), timezone.now()
    memory.catch_up(player, now)
    started = sessions.start_weakest(player, now)
    if started is None:
        messages.info(request, NOTHING_MET)
        return redirect("study_progress")
    attempt, on = started
    messages.info(
        request, f"Practising your weakest {on.kind}: {on.label} ({on.percent}% likely recalled today)."
    )
    return redirect(attempt)


@login_required
@require_http_methods(["GET", "POST"])
def study_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Desired retention and new facts a day (also shown on the profile page)."""
    current = memory.settings_for(request.user.pk)
    form = StudySettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if form.is_valid():
        form.save()
        messages.success(request, "Your study settings are saved.")
        return redirect("profile")
    status = 400 if form.is_bound else 200
    return render(request, "quiz/study/settings.html", {"form": form}, status=status)
