"""Assignment pages: set, change and delete one (teacher), the student's list and start
page, the class gradebook with its exports and attempt pages, the item analysis, and a
teacher's own quizzes (made by rules or by hand, changed, deleted).

A teacher reaches only their own classes' assignments and their own quizzes; a student
only the assignments of classes they are in now; anything else is a 404. Deleting asks
first (a page with a POST form). Times are shown and typed in the school's zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from quiz.assignments import analysis, exports, gradebook, picks, play
from quiz.assignments.forms import AssignmentChangeForm, AssignmentForm, PickedQuizForm, QuizRulesForm
from quiz.assignments.models import Assignment, QuizPick
from quiz.models import Attempt, Classroom, Item, Quiz
from quiz.permissions import teacher_required

if TYPE_CHECKING:
    from uuid import UUID

    from quiz.permissions import AuthenticatedHttpRequest


def school_zone() -> ZoneInfo:
    return ZoneInfo(settings.SCHOOL_TIME_ZONE)


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom, pk=pk, teacher=request.user)
    with timezone.override(school_zone()):
        form = AssignmentForm(request.POST or None, teacher=request.user)
        if request.method == "POST" and form.is_valid():
            form.instance.classroom = classroom
            with transaction.atomic():
                assignment = form.save()
            messages.success(request, f"{assignment.quiz.title} is assigned to {classroom.name}.")
            return redirect("class_gradebook", classroom.pk)
        status = 400 if form.is_bound else 200
        return render(
            request,
            "quiz/assignments/form.html",
            {"form": form, "classroom": classroom, "zone": settings.SCHOOL_TIME_ZONE},
            status=status,
        )


def _own_assignment(request: AuthenticatedHttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("quiz", "classroom"), pk=pk, classroom__teacher=request.user
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change an assignment's window, limits and policy (its quiz stays); the attempts made
    for it follow (answers hidden until the new due date, open ones ending in the new window)."""
    assignment = _own_assignment(request, pk)
    with timezone.override(school_zone()):
        form = AssignmentChangeForm(request.POST or None, instance=assignment, teacher=request.user)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                form.save().apply_to_attempts()
            messages.success(
                request,
                f"The assignment of {assignment.quiz.title} to {assignment.classroom.name} is changed.",
            )
            return redirect(assignment)
        return render(
            request,
            "quiz/assignments/form.html",
            {
                "form": form,
                "classroom": assignment.classroom,
                "assignment": assignment,
                "zone": settings.SCHOOL_TIME_ZONE,
            },
            status=400 if form.is_bound else 200,
        )


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks; POST deletes. The attempts made for it are kept as practice (see
    :meth:`Assignment.delete_keeping_attempts`)."""
    assignment = _own_assignment(request, pk)
    classroom = assignment.classroom
    if request.method == "POST":
        kept = assignment.delete_keeping_attempts()
        note = f" {_kept(kept)}." if kept else ""
        messages.success(
            request, f"The assignment of {assignment.quiz.title} to {classroom.name} is deleted.{note}"
        )
        return redirect("class_gradebook", classroom.pk)
    made = assignment.attempts.count()
    return render(
        request,
        "quiz/assignments/delete.html",
        {
            "title": f"Delete the assignment of {assignment.quiz.title} to {classroom.name}?",
            "lines": [
                f"It leaves the gradebook of {classroom.name}, and its students no longer see it.",
                (
                    f"{_kept(made)}, with the right answers shown; no gradebook counts "
                    f"{'them' if made != 1 else 'it'} any more."
                    if made
                    else "Nobody has started it yet."
                ),
                f"The quiz {assignment.quiz.title} itself stays in your quizzes.",
            ],
            "action": reverse("assignment_delete", args=[assignment.pk]),
            "button": "Delete the assignment",
            "cancel_url": assignment.get_absolute_url(),
        },
    )


def _kept(count: int) -> str:
    if count == 1:
        return "The 1 attempt made for it stays in its student's history as practice"
    return f"The {count} attempts made for it stay in their students' histories as practice"


@login_required
@require_GET
def assigned_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assigned to you: every assignment of the student's classes, with their status."""
    assignments = list(
        Assignment.objects.for_student(request.user)
        .filter(opens_at__lte=timezone.now())
        .select_related("quiz", "classroom")
        .order_by("due_at", "pk")
    )
    made: dict[int | None, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(
        user=request.user, assignment__in=[a.pk for a in assignments]
    ).order_by("started_at"):
        made.setdefault(attempt.assignment_id, []).append(attempt)
    standings = [play.standing(a, made.get(a.pk, [])) for a in assignments]
    with timezone.override(school_zone()):
        return render(
            request,
            "quiz/assignments/list.html",
            {"standings": standings, "zone": settings.SCHOOL_TIME_ZONE},
        )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The student's start page (POST starts an attempt); the teacher's summary."""
    assignment = get_object_or_404(Assignment.objects.select_related("quiz", "classroom"), pk=pk)
    teaching = assignment.classroom.teacher_id == request.user.pk
    if not teaching and not play.is_member(assignment, request.user):
        raise Http404("No such assignment.")
    made = list(assignment.attempts.filter(user=request.user).order_by("started_at"))
    error, status = "", 200
    with timezone.override(school_zone()):
        if request.method == "POST" and not teaching:
            try:
                attempt = play.start(assignment, request.user)
            except play.Refused as refused:
                error, status = str(refused), 409
            else:
                return redirect(attempt)
        standing = play.standing(assignment, made)
        return render(
            request,
            "quiz/assignments/detail.html",
            {
                "assignment": assignment,
                "teaching": teaching,
                "standing": standing,
                "attempts": made,
                "refusal": "" if teaching else play.refusal(assignment, standing.used),
                "error": error,
                "zone": settings.SCHOOL_TIME_ZONE,
            },
            status=status,
        )


@teacher_required
@require_GET
def class_gradebook(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom, pk=pk, teacher=request.user)
    with timezone.override(school_zone()):
        return render(
            request,
            "quiz/assignments/gradebook.html",
            {"book": gradebook.build(classroom), "zone": settings.SCHOOL_TIME_ZONE},
        )


@teacher_required
@require_GET
def gradebook_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom, pk=pk, teacher=request.user)
    return exports.csv_response(gradebook.build(classroom))


@teacher_required
@require_GET
def gradebook_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    classroom = get_object_or_404(Classroom, pk=pk, teacher=request.user)
    return exports.xlsx_response(gradebook.build(classroom))


@teacher_required
@require_GET
def gradebook_attempt(request: AuthenticatedHttpRequest, attempt_id: UUID) -> HttpResponse:
    """One student's attempt at one of the teacher's assignments, answer by answer."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("assignment__classroom", "assignment__quiz", "user"),
        pk=attempt_id,
        assignment__classroom__teacher=request.user,
    )
    assert attempt.assignment is not None
    rows = []
    for item in attempt.items.order_by("position"):
        taken = (
            round((item.answered_at - item.served_at).total_seconds())
            if item.answered_at and item.served_at
            else None
        )
        rows.append(
            {
                "item": item,
                "chosen": analysis.option_text(item, item.chosen) if item.answered_at else "",
                "correct": analysis.option_text(item, item.correct),
                "seconds": taken,
            }
        )
    with timezone.override(school_zone()):
        return render(
            request,
            "quiz/assignments/attempt.html",
            {
                "attempt": attempt,
                "assignment": attempt.assignment,
                "late": play.is_late(attempt.assignment, attempt),
                "rows": rows,
                "zone": settings.SCHOOL_TIME_ZONE,
            },
        )


@teacher_required
@require_GET
def assignment_analysis(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("quiz", "classroom"), pk=pk, classroom__teacher=request.user
    )
    return render(
        request,
        "quiz/assignments/analysis.html",
        {"assignment": assignment, "items": analysis.analyse(assignment)},
    )


@teacher_required
@require_GET
def my_quizzes(request: AuthenticatedHttpRequest) -> HttpResponse:
    quizzes = Quiz.objects.filter(owner=request.user).select_related("topic", "tag").order_by("title")
    return render(request, "quiz/assignments/quizzes.html", {"quizzes": quizzes})


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a quiz by rules, or change one of the teacher's own (another's is a 404): its
    rules, or for a quiz built by hand its title (at any time) and publishing."""
    quiz = get_object_or_404(Quiz, pk=pk, owner=request.user) if pk is not None else None
    form_class = PickedQuizForm if quiz is not None and quiz.hand_picked else QuizRulesForm
    form = form_class(request.POST or None, instance=quiz)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if quiz is None:
            saved.owner = request.user
            saved.slug = f"{slugify(saved.title)[:40] or 'quiz'}-{get_random_string(6).lower()}"
            saved.allow_length_choice = False
        saved.save()
        messages.success(
            request, f"{saved.title} is {'published' if saved.published else 'saved as a draft'}."
        )
        return redirect("my_quizzes")
    return render(
        request,
        "quiz/assignments/quiz_form.html",
        {"form": form, "quiz": quiz},
        status=400 if form.is_bound else 200,
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks; POST deletes one's own quiz, unless it is assigned or has been played
    (then the page says why, and a POST is refused with a 409)."""
    quiz = get_object_or_404(Quiz, pk=pk, owner=request.user)
    refusal = quiz.deletion_refusal()
    if request.method == "POST" and not refusal:
        title = quiz.title
        quiz.delete()
        messages.success(request, f"{title} is deleted.")
        return redirect("my_quizzes")
    return render(
        request,
        "quiz/assignments/delete.html",
        {
            "title": f"Delete {quiz.title}?",
            "refusal": refusal,
            "lines": [] if refusal else ["Its questions stay where they are; only this quiz goes."],
            "action": reverse("quiz_delete", args=[quiz.pk]),
            "button": "Delete the quiz",
            "cancel_url": reverse("quiz_edit", args=[quiz.pk]),
        },
        status=409 if refusal and request.method == "POST" else 200,
    )


#: Why a played hand-built quiz's questions no longer change.
QUESTIONS_FIXED = (
    "Students have played this quiz, so its questions stay as they are: their scores compare "
    "the same questions. You can still rename it; to ask other questions, make a new quiz."
)


def _seed(value: str | None) -> int:
    """The seed of the generated candidates shown: from the query, else a fresh one."""
    if value and value.isdigit() and len(value) <= 10:
        return int(value) % (2**31)
    return picks.generation_seed()


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_build(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Pick written and generated questions for one's own quiz, reorder and remove them.

    Every POST names one action; the page redirects back (post/redirect/get)."""
    quiz = get_object_or_404(Quiz.objects.select_related("topic"), pk=pk, owner=request.user)
    seed = _seed(request.POST.get("seed") if request.method == "POST" else request.GET.get("seed"))
    here = f"{reverse('quiz_build', args=[quiz.pk])}?seed={seed}"
    played = quiz.is_played()
    if request.method == "POST" and played:
        return _build_page(request, quiz, seed, played=True, error=QUESTIONS_FIXED, status=409)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add_written":
            question = (
                picks.usable_questions(quiz, request.user)
                .filter(pk=_int(request.POST.get("question")) or 0)
                .first()
            )
            if question is None:
                raise Http404("No such question.")
            picks.add(quiz, question=question)
        elif action == "add_generated":
            index = _int(request.POST.get("index"))
            candidates = picks.generated_candidates(quiz, seed)
            if index is None or not 0 <= index < len(candidates):
                raise Http404("No such question.")
            picks.add(quiz, generated=candidates[index])
        elif action in {"up", "down", "remove"}:
            pick = get_object_or_404(QuizPick, pk=_int(request.POST.get("pick")) or 0, quiz=quiz)
            if action == "remove":
                picks.remove(pick)
            else:
                picks.move(pick, -1 if action == "up" else 1)
        else:
            messages.error(request, "Choose what to do with a question.")
        return redirect(here)
    return _build_page(request, quiz, seed, played=played)


def _build_page(
    request: AuthenticatedHttpRequest,
    quiz: Quiz,
    seed: int,
    *,
    played: bool,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    chosen = list(
        quiz.picks.select_related("question").prefetch_related("question__choices").order_by("position")
    )
    return render(
        request,
        "quiz/assignments/build.html",
        {
            "quiz": quiz,
            "picks": [(pick, _preview(pick)) for pick in chosen],
            # Once played, the questions are fixed: no candidates to add.
            "written": [] if played else picks.usable_questions(quiz, request.user),
            "generated": (
                []
                if played
                else [
                    (index, question, picks.form_label(question.form))
                    for index, question in enumerate(picks.generated_candidates(quiz, seed))
                ]
            ),
            "seed": seed,
            "more_seed": (seed + 1) % (2**31),
            "played": played,
            "fixed": QUESTIONS_FIXED,
            "error": error,
        },
        status=status,
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 9 else None


def _preview(pick: QuizPick) -> dict:
    if pick.snapshot is not None:
        return {
            "stem": pick.snapshot.get("stem", ""),
            "options": pick.snapshot.get("options", []),
            "kind": "generated",
            "form": picks.form_label(pick.snapshot.get("form", "")),
        }
    assert pick.question is not None
    return {
        "stem": pick.question.stem,
        "options": [c.text for c in pick.question.choices.all()],
        "kind": "written",
        "form": picks.form_label(Item.Form.MULTIPLE_CHOICE),
    }
