"""Classes: a teacher creates one and hands out its join code; students join with it.

A teacher sees only their own classes (another teacher's class is a 404); students get 403
on teacher pages and see only the list of classes they joined (their results are on their
own history page). The class page and its CSV export take the same GET filters.

CSV export: one row per ATTEMPT (student, quiz, mode, times, score, length, percentage,
questions answered), because that is what a teacher puts in a mark book; per-question
detail is on the class page. Cells that a spreadsheet would read as a formula (starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from quiz.classes import results
from quiz.classes.forms import ClassAttemptFilterForm, ClassroomForm, JoinClassForm
from quiz.models import Attempt, Classroom, Membership, Quiz
from quiz.permissions import is_teacher, teacher_required

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from django.db.models import QuerySet
    from django.http import HttpRequest

    from quiz.models import Attempt
    from quiz.permissions import AuthenticatedHttpRequest

ATTEMPTS_PAGE_SIZE = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "student",
    "quiz",
    "mode",
    "started (UTC)",
    "finished (UTC)",
    "score",
    "length",
    "percent",
    "answered",
]


def csv_cell(value: object) -> object:
    """A value made safe for a spreadsheet: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@login_required
@require_GET
def class_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_list(request, JoinClassForm(), ClassroomForm() if is_teacher(request.user) else None)


def _render_list(
    request: AuthenticatedHttpRequest,
    join_form: JoinClassForm,
    create_form: ClassroomForm | None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    teaching = is_teacher(user)
    context = {
        "join_form": join_form,
        "create_form": create_form,
        "teaching": teaching,
        "taught": (
            user.classrooms.annotate(
                student_count=Count("memberships", filter=Q(memberships__left_at__isnull=True))
            ).order_by("name")
            if teaching
            else None
        ),
        "memberships": user.memberships.current()
        .select_related("classroom__teacher")
        .order_by("classroom__name"),
    }
    return render(request, "quiz/classes/list.html", context, status=status)


@teacher_required
@require_POST
def class_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClassroomForm(request.POST)
    if not form.is_valid():
        return _render_list(request, JoinClassForm(), form, status=400)
    classroom = form.save(commit=False)
    classroom.teacher = request.user
    classroom.save()
    messages.success(request, f"Class created. Students join it with the code {classroom.join_code}.")
    return redirect("class_detail", pk=classroom.pk)


@login_required
@require_POST
def class_join(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = JoinClassForm(request.POST)
    if not form.is_valid():
        create_form = ClassroomForm() if is_teacher(request.user) else None
        return _render_list(request, form, create_form, status=400)
    classroom: Classroom = form.cleaned_data["code"]
    if classroom.teacher_id == request.user.pk:
        messages.info(request, f"You teach {classroom.name}; students join it with this code.")
        return redirect("class_list")
    joined = False
    if not Membership.objects.current().filter(classroom=classroom, student=request.user).exists():
        try:
            with transaction.atomic():
                Membership.objects.create(classroom=classroom, student=request.user)
            joined = True
        except IntegrityError:  # joined in another tab at the same moment
            pass
    if joined:
        messages.success(request, f"You joined {classroom.name}. Your teacher now sees the quizzes you play.")
    else:
        messages.info(request, f"You are already in {classroom.name}.")
    return redirect("class_list")


@login_required
@require_POST
def class_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A student leaves a class they joined: the membership ends, and from then on its
    teacher sees none of their attempts. What they played as a member stays in the class's
    results (marked as a former member's), so leaving cannot erase a bad score.

    Only one's own membership can be ended: anything else (another student's class, a
    class one teaches, which one never joins) is a 404. POST only, so a link or a
    prefetch cannot make anyone leave.
    """
    membership = get_object_or_404(
        Membership.objects.current().select_related("classroom"), classroom_id=pk, student=request.user
    )
    Membership.objects.filter(pk=membership.pk, left_at__isnull=True).update(left_at=timezone.now())
    messages.success(
        request,
        f"You left {membership.classroom.name}. Its teacher keeps what you played as a member "
        "and sees nothing you play from now on.",
    )
    return redirect("class_list")


def _filtered(request: HttpRequest, classroom: Classroom) -> tuple[ClassAttemptFilterForm, dict]:
    """The filter form (quizzes: those the class has played) and its valid filters."""
    played = results.class_attempts(classroom).values("quiz_id")
    quizzes = Quiz.objects.filter(pk__in=played).order_by("title")
    form = ClassAttemptFilterForm(request.GET or None, quizzes=quizzes)
    return form, form.filters()


@teacher_required
@require_GET
def class_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom, pk=pk, teacher=request.user)
    Attempt.objects.close_overdue()
    form, filters = _filtered(request, classroom)
    attempts = (
        results.class_attempts(classroom, **filters).select_related("user", "quiz").order_by("-started_at")
    )
    context = {
        "classroom": classroom,
        "form": form,
        "page": Paginator(attempts, ATTEMPTS_PAGE_SIZE).get_page(request.GET.get("page")),
        "progress": results.class_progress(classroom, **filters),
        "questions": results.question_stats(results.class_attempts(classroom, **filters)),
        "query": _query_without_page(request),
    }
    return render(request, "quiz/classes/detail.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@teacher_required
@require_GET
def class_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom, pk=pk, teacher=request.user)
    Attempt.objects.close_overdue()
    _, filters = _filtered(request, classroom)
    attempts = (
        results.class_attempts(classroom, **filters)
        .select_related("user", "quiz")
        .order_by("user__username", "started_at")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # A byte-order mark: Excel on Windows reads UTF-8 only when the file starts with one.
    response.write("\ufeff")
    filename = f"class-{classroom.pk}-{slugify(classroom.name) or 'attempts'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in _csv_rows(attempts):
        writer.writerow([csv_cell(value) for value in row])
    return response


def _csv_rows(attempts: QuerySet[Attempt]) -> Iterator[Sequence[object]]:
    yield CSV_HEADER
    for attempt in attempts.iterator(chunk_size=500):
        assert attempt.user is not None  # a class's attempts are its students'
        yield [
            attempt.user.username,
            attempt.quiz.title,
            attempt.get_mode_display(),
            _iso(attempt.started_at),
            _iso(attempt.finished_at),
            attempt.score,
            attempt.length,
            round(100 * attempt.score / attempt.length) if attempt.length and attempt.finished_at else "",
            attempt.answered_count,
        ]


def _iso(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""
