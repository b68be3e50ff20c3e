"""The leaderboard pages: overall (correct answers) and per quiz, all time or this week."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from quiz.leaderboards import standings
from quiz.leaderboards.standings import Standing
from quiz.models import Attempt, Quiz

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import User
    from django.http import HttpRequest, HttpResponse

PERIODS = {"all": "All time", "week": "This week"}


def _period(request: HttpRequest) -> str:
    period = request.GET.get("period", "all")
    return period if period in PERIODS else "all"


@require_GET
def leaderboards(request: HttpRequest) -> HttpResponse:
    """The overall board (correct answers) and the list of quiz boards."""
    Attempt.objects.close_overdue()
    period = _period(request)
    since = standings.week_start() if period == "week" else None
    board = standings.overall_leaderboard(since)
    context = {
        "period": period,
        "periods": PERIODS,
        "since": since,
        "board": board,
        "me": _my_standing(request, board, lambda user: standings.overall_standing(user, since)),
        "quizzes": Quiz.objects.public().order_by("title").only("slug", "title"),
    }
    return render(request, "quiz/leaderboards/leaderboards.html", context)


@require_GET
def quiz_leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.public(), slug=slug)
    Attempt.objects.close_overdue()
    period = _period(request)
    since = standings.week_start() if period == "week" else None
    board = standings.quiz_leaderboard(quiz, since)
    context = {
        "quiz": quiz,
        "period": period,
        "periods": PERIODS,
        "since": since,
        "board": board,
        "me": _my_standing(request, board, lambda user: standings.quiz_standing(user, quiz, since)),
    }
    return render(request, "quiz/leaderboards/quiz_leaderboard.html", context)


def _my_standing(
    request: HttpRequest, board: list[Standing], lookup: Callable[[User], Standing | None]
) -> Standing | None:
    """The visitor's own row when it is not on the board already (queries only then)."""
    user = request.user
    if not user.is_authenticated or any(row.user_id == user.pk for row in board):
        return None
    return lookup(user)
