"""Playing: start pages, one question at a time, answers, results, review and challenges.

Every page works without JavaScript: forms post to the same URL htmx posts to, and a
non-htmx POST is answered with a redirect (post/redirect/get). With htmx, the view
renders the ``card`` partial of ``quiz/play/play.html`` instead of the whole page.

A question has one URL, ``/play/<attempt>/q/<n>/``: GET shows it (with its feedback once
answered), POST answers it. ``/play/<attempt>/`` sends the player to the current one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from config.htmx import HTMX_VARY, is_partial, vary_on_htmx
from config.htmx import HtmxHttpRequest as HttpRequest
from content.models import Tag, Topic
from quiz.leaderboards.standings import challengers
from quiz.models import Attempt, Item, Player, Quiz
from quiz.play import answers, attempts, cards
from quiz.reports import regrade

if TYPE_CHECKING:
    from uuid import UUID


ALREADY_ANSWERED = "You already answered this question — here is your answer."
TIME_UP = "Time is up: answers after the time limit do not count."
ANSWERS_HIDDEN = "Your answers are recorded; your score and the right answers are shown after the due date."
ALREADY_PLAYED = (
    "You have already played these questions, so this challenge is for your friends: here is your attempt."
)


# Starting -------------------------------------------------------------------


def _lengths(quiz: Quiz, capacity: int) -> tuple[int, ...]:
    """The lengths a player may choose: those the quiz can fill, else all it has."""
    if not quiz.allow_length_choice:
        return ()
    fitting = tuple(length for length in Quiz.LENGTHS if length <= capacity)
    return fitting or ((capacity,) if capacity else ())


def _length_from(quiz: Quiz, capacity: int, value: str | None) -> int | None:
    if not quiz.allow_length_choice:
        return min(quiz.question_count, capacity)
    try:
        length = int(value or "")
    except ValueError:
        return None
    return length if length in _lengths(quiz, capacity) else None


def _start_page(
    request: HttpRequest,
    quiz: Quiz | None,
    *,
    heading: str,
    covers: str,
    back_url: str,
    tag: Tag | None = None,
    template: str = "quiz/play/start.html",
) -> HttpResponse:
    """GET: what the quiz covers and how many questions it asks (never more than it has).
    POST: start and go to question 1."""
    error, status = "", 200
    capacity = quiz.capacity(tag) if quiz is not None else 0
    lengths = _lengths(quiz, capacity) if quiz is not None else ()
    if request.method == "POST" and quiz is not None:
        length = _length_from(quiz, capacity, request.POST.get("length"))
        if not capacity:
            error, status = "There are no questions here yet. Try another dossier.", 409
        elif length is None:
            choices = [str(length) for length in lengths]
            spelled = f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]
            error, status = f"Choose {spelled} questions.", 400
        else:
            player = Player.of(request, create_session=True)
            try:
                attempt = attempts.start_attempt(quiz, length=length, player=player, tag=tag)
            except attempts.NoQuestions:
                error, status = "There are no questions here yet. Try another dossier.", 409
            else:
                if attempt.length < length:
                    messages.info(request, f"This quiz could make {attempt.length} questions, not {length}.")
                return redirect(attempt)
    preferred = quiz.question_count if quiz else 10
    default_length = preferred if preferred in lengths else (lengths[-1] if lengths else 0)
    return render(
        request,
        template,
        {
            "quiz": quiz,
            "tag": tag,
            "heading": heading,
            "covers": covers,
            "back_url": back_url,
            "lengths": lengths,
            "default_length": default_length,
            "capacity": capacity,
            "fixed_length": min(quiz.question_count, capacity) if quiz else 0,
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def play_topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.published(), slug=slug)
    return _start_page(
        request,
        Quiz.default_for(topic),
        heading=f"Trivia: {topic.title}",
        covers=topic.summary or f"Questions drawn from the {topic.title} dossier.",
        back_url=topic.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def play_tag(request: HttpRequest, slug: str) -> HttpResponse:
    """A tag is played on the default quiz of the dossier with the most facts of that tag,
    filtered to the tag: one dossier's passages explain every answer, and the start page
    says which dossier it is. A tag with no facts shows the page without a Start button.
    """
    tag = get_object_or_404(Tag, slug=slug)
    topic = (
        Topic.objects.published()
        .filter(facts__tags=tag)
        .annotate(tagged=Count("facts"))
        .order_by("-tagged", "title")
        .first()
    )
    return _start_page(
        request,
        Quiz.default_for(topic) if topic else None,
        heading=f"Trivia: {tag.name}",
        covers=(
            f"Questions on {tag.name.lower()}, from the {topic.title} dossier."
            if topic
            else f"No facts carry the {tag.name.lower()} tag yet."
        ),
        back_url=tag.get_absolute_url(),
        tag=tag,
    )


@require_http_methods(["GET", "POST"])
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.public().select_related("topic", "tag"), slug=slug)
    covers = f"Questions from the {quiz.topic.title} dossier"
    if quiz.tag:
        covers += f", on {quiz.tag.name.lower()}"
    return _start_page(
        request,
        quiz,
        heading=quiz.title,
        covers=covers + ".",
        back_url=quiz.topic.get_absolute_url(),
        template="quiz/play/quiz_detail.html",
    )


@require_http_methods(["GET", "POST"])
def challenge(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone with the link plays the same questions, in the same order, as the sharer."""
    original = get_object_or_404(
        Attempt.objects.select_related("quiz", "user"),
        share_code=code,
        finished_at__isnull=False,
        mode__in=[Attempt.Mode.NORMAL, Attempt.Mode.CHALLENGE],  # a review is practice, not a set
        assignment__isnull=True,  # an assignment's questions stay in its class
    )
    seen = attempts.already_played(original, Player.of(request))
    if seen is not None:
        messages.info(request, ALREADY_PLAYED)
        return redirect(seen)
    if request.method == "POST":
        attempt = attempts.start_challenge(original, player=Player.of(request, create_session=True))
        return redirect(attempt)
    return render(
        request,
        "quiz/play/start.html",
        {
            "quiz": original.quiz,
            "heading": f"Challenge: {original.quiz.title}",
            "covers": (
                f"{_player_name(original)} scored on these {original.length} questions. "
                "Play the same questions in the same order; you see their score when you finish."
            ),
            "challenger": _player_name(original),
            "fixed_length": original.length,
            "back_url": reverse("home"),
            "lengths": (),
        },
    )


def _player_name(attempt: Attempt) -> str:
    return attempt.user.get_username() if attempt.user else "Your friend"


# Playing --------------------------------------------------------------------


def _question_url(attempt: Attempt, position: int) -> str:
    return reverse("attempt_question", args=[attempt.pk, position])


def _results_url(attempt: Attempt) -> str:
    return reverse("attempt_results", args=[attempt.pk])


@never_cache
@require_GET
def attempt_play(request: HttpRequest, attempt_id: UUID) -> HttpResponse:
    """Send the player to their current question, or to the results when there is none."""
    attempt = get_object_or_404(Attempt.objects.owned_by(Player.of(request)), pk=attempt_id)
    position = attempt.current_position
    if attempt.finish_if_expired() or position is None:
        return redirect(_results_url(attempt))
    return redirect(_question_url(attempt, position))


def _card(
    request: HttpRequest,
    attempt: Attempt,
    item: Item,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The question card: the question while unanswered, its feedback once answered.

    Each URL is reversed only when the card shows it: the answer's feedback card is the
    app's hottest response.
    """
    context = {
        "attempt": attempt,
        "position": item.position,
        "answered_count": attempt.answered_count,
        "score": attempt.score,
        "notice": notice,
        "error": error,
        "fragment": is_partial(request),
        "seconds_left": (
            max(0, int((attempt.deadline - timezone.now()).total_seconds())) if attempt.deadline else None
        ),
    }
    answered, last = item.answered_at is not None, item.position >= attempt.length
    hidden = attempt.answers_hidden()  # an assignment shows answers (and score) after its due date
    if hidden:
        context["score"] = "–"
    if answered and hidden:
        context["recorded"] = True
        if not last:
            context["next_url"] = _question_url(attempt, item.position + 1)
    elif answered:
        context["feedback"] = cards.feedback(item)
        if not last:
            context["next_url"] = _question_url(attempt, item.position + 1)
        if request.user.is_authenticated:
            context["report_url"] = reverse("report_item", args=[attempt.pk, item.position])
    else:
        # Only the QuestionView: nothing that says which option is right.
        context["question"] = cards.question_view(item)
        context["question_url"] = _question_url(attempt, item.position)
    if (answered and last) or attempt.deadline is not None:  # "See your results", or the timer
        context["results_url"] = _results_url(attempt)
    template = "quiz/play/play.html#card" if context["fragment"] else "quiz/play/play.html"
    return vary_on_htmx(render(request, template, context, status=status))


def _time_up(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    messages.warning(request, TIME_UP)
    if is_partial(request):
        response = HttpResponseClientRedirect(_results_url(attempt))
        response.status_code = 409
        return response
    return redirect(_results_url(attempt))


@never_cache
@vary_on_headers(*HTMX_VARY)
@require_http_methods(["GET", "POST"])
def attempt_question(request: HttpRequest, attempt_id: UUID, position: int) -> HttpResponse:
    """GET shows question ``position``; POST answers it (the server decides if it is right)."""
    item = attempts.owned_item(Player.of(request), attempt_id, position)
    if item is None:
        raise Http404("No such question.")
    attempt = item.attempt
    if request.method == "POST":
        return _answer(request, attempt, item)
    answered = item.answered_at is not None
    if attempt.finish_if_expired() and not answered:
        return redirect(_results_url(attempt))
    current = attempt.current_position
    if not answered and current is not None and position > current:
        return redirect(_question_url(attempt, current))
    if not answered:
        item.mark_served()
    return _card(request, attempt, item)


def _answer(request: HttpRequest, attempt: Attempt, item: Item) -> HttpResponse:
    if item.answered_at is None:
        if attempt.finish_if_expired():
            return _time_up(request, attempt)
        if item.served_at is None:
            return _card(request, attempt, item, error="Open this question before answering it.", status=409)
        try:
            chosen = answers.parse_choice(item.form, len(item.options), request.POST)
        except answers.InvalidAnswer as exc:
            return _card(request, attempt, item, error=str(exc), status=400)
        if answers.record_answer(attempt, item, chosen):
            if not is_partial(request):
                return _to_feedback(attempt, item)
            return _card(request, attempt, item)
        item.refresh_from_db()
        if item.answered_at is None:  # the attempt finished (time ran out) meanwhile
            return _time_up(request, attempt)
    # A replay, a double click, a second tab: nothing changes; show what was stored.
    if is_partial(request):
        return _card(request, attempt, item, notice=ALREADY_ANSWERED)
    messages.info(request, ALREADY_ANSWERED)
    return _to_feedback(attempt, item)


def _to_feedback(attempt: Attempt, item: Item) -> HttpResponse:
    """Post/redirect/get for a form without htmx: the question's page, at its feedback."""
    return HttpResponseRedirect(f"{_question_url(attempt, item.position)}#feedback")


# Results --------------------------------------------------------------------


@never_cache
@require_GET
def attempt_results(request: HttpRequest, attempt_id: UUID) -> HttpResponse:
    attempt = get_object_or_404(
        Attempt.objects.owned_by(Player.of(request)).select_related(
            "quiz__topic", "tag", "challenge_of__user"
        ),
        pk=attempt_id,
    )
    if not attempt.finish_if_expired() and attempt.finished_at is None:
        return redirect("attempt_play", attempt.pk)
    if attempt.answers_hidden():
        messages.info(request, ANSWERS_HIDDEN)
        return redirect("assignment_detail", attempt.assignment_id)
    items = list(attempt.items.select_related("question").order_by("position"))
    rows = [cards.feedback(item) for item in items]
    rival = attempt.challenge_of
    if rival is not None:
        theirs = dict(rival.items.values_list("position", "is_correct"))
        rows_with_rival = [(row, theirs.get(row.position)) for row in rows]
    else:
        rows_with_rival = [(row, None) for row in rows]
    taken = attempt.finished_at - attempt.started_at if attempt.finished_at else timedelta(0)
    return render(
        request,
        "quiz/play/results.html",
        {
            "attempt": attempt,
            "rows": rows_with_rival,
            "missed": sum(1 for item in items if not item.is_correct),
            "to_review": sum(1 for item in items if item.is_to_review),
            "taken": _duration(taken),
            "rival": rival,
            "rival_name": _player_name(rival) if rival else "",
            "challengers": challengers(attempt),
            # Only what the challenge view accepts is offered: a review, a replay or an
            # assignment's attempt has no challenge link (it would be a 404).
            "share_url": (
                request.build_absolute_uri(reverse("challenge", args=[attempt.share_code]))
                if attempt.assignment_id is None
                and attempt.mode in (Attempt.Mode.NORMAL, Attempt.Mode.CHALLENGE)
                else ""
            ),
            "again_url": _again_url(attempt),
            "corrections": regrade.notes_for(attempt),
        },
    )


def _duration(taken: timedelta) -> str:
    seconds = max(0, int(taken.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def _again_url(attempt: Attempt) -> str:
    if attempt.assignment_id is not None:  # an assigned quiz has no public start page
        return reverse("assignment_detail", args=[attempt.assignment_id])
    if attempt.tag_id and attempt.tag:
        return reverse("play_tag", args=[attempt.tag.slug])
    if attempt.quiz.is_default:
        return reverse("play_topic", args=[attempt.quiz.topic.slug])
    return reverse("quiz_detail", args=[attempt.quiz.slug])


@require_POST
def attempt_review(request: HttpRequest, attempt_id: UUID) -> HttpResponse:
    """Start a new attempt on the facts and questions this one missed."""
    player = Player.of(request)
    attempt = get_object_or_404(
        Attempt.objects.owned_by(player)
        .select_related("quiz", "tag")
        .exclude(answers_hidden_until__gt=timezone.now()),  # a review would show the answers
        pk=attempt_id,
        finished_at__isnull=False,
    )
    try:
        review = attempts.start_review(attempt, player=player)
    except attempts.NoQuestions:
        messages.success(request, "Nothing to review: you got every question right.")
        return redirect(_results_url(attempt))
    return redirect(review)
