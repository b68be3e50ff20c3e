"""Reporting a question from its feedback, and the owners' queue where reports are decided.

A student reports an item they answered (one report per item, a limited number an
hour). The queue shows a teacher the reports on their own written questions, and a
dossier editor (a superuser or a member of "Dossier editors") those on generated
questions and the facts whose answer was corrected. Anything else is "not found".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.htmx import HtmxHttpRequest as HttpRequest
from config.htmx import is_partial, vary_on_htmx
from content.models import Fact
from quiz.accounts import throttle
from quiz.models import Item, Player, Question
from quiz.permissions import is_editor, reports_required, teacher_required
from quiz.play import attempts
from quiz.reports import facts, regrade
from quiz.reports.forms import RegradeForm, ReportForm
from quiz.reports.models import FactAnswer, Report

if TYPE_CHECKING:
    from uuid import UUID

#: Reports one user may send an hour: a whole quiz's worth, not a flood.
REPORTS_PER_USER = throttle.Limit("report-user", 20, timedelta(hours=1))


# Reporting ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_item(request: HttpRequest, attempt_id: UUID, position: int) -> HttpResponse:
    item = attempts.owned_item(Player.of(request), attempt_id, position)
    if item is None or item.answered_at is None:
        raise Http404("No such answered question.")
    question_url = reverse("attempt_question", args=[attempt_id, position])
    user_id = int(request.user.pk or 0)
    existing = Report.objects.filter(item=item, user_id=user_id).first()
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and existing is None and form.is_valid():
        retry_at = throttle.check((REPORTS_PER_USER, str(user_id)))
        if retry_at is not None:
            form.add_error(None, "You have sent many reports this hour; please try again later.")
            status = 429
        else:
            report = form.save(commit=False)
            report.item, report.user_id = item, user_id
            linked = Item.objects.filter(pk=item.pk).values("question_id", "question_version").get()
            report.question_id, report.question_version = linked["question_id"], linked["question_version"]
            try:
                with transaction.atomic():
                    report.save()
            except IntegrityError:  # a second tab, a replay
                pass
            existing = Report.objects.get(item=item, user_id=user_id)
            if not is_partial(request):
                messages.success(request, "Thank you: your report went to the question's author.")
                return redirect(f"{question_url}#feedback")
    elif request.method == "POST" and existing is None:
        status = 400
    context = {
        "item": item,
        "form": form,
        "existing": existing,
        "action": reverse("report_item", args=[attempt_id, position]),
        "question_url": question_url,
    }
    template = "quiz/reports/report.html#report" if is_partial(request) else "quiz/reports/report.html"
    return vary_on_htmx(render(request, template, context, status=status))


# The queue ----------------------------------------------------------------------


@reports_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    editor = is_editor(request.user)
    reports = list(
        Report.objects.open()
        .visible_to(request.user, editor=editor)
        .select_related("item", "question")
        .order_by("-created_at")[:500]
    )
    written: dict[int, list[Report]] = defaultdict(list)
    generated: dict[int, list[Report]] = defaultdict(list)
    for report in reports:
        if report.question_id:
            written[report.question_id].append(report)
        else:
            generated[report.item_id].append(report)
    facts.detect_changes()
    changed = facts.pending()
    if not editor:  # a teacher decides on their own questions built from a corrected fact
        changed = changed.filter(fact__questions__author_id=request.user.pk).distinct()
    fact_changes = list(changed.prefetch_related(_own_questions(request)))
    return render(
        request,
        "quiz/reports/queue.html",
        {
            "written": [(group[0].question, group) for group in written.values()],
            "generated": [(group[0].item, group) for group in generated.values()],
            "fact_changes": fact_changes,
            "editor": editor,
        },
    )


def _own_questions(request: HttpRequest) -> Prefetch:
    return Prefetch(
        "fact__questions",
        queryset=Question.objects.filter(author_id=request.user.pk).only("pk", "stem"),
        to_attr="own_questions",
    )


def _owned_question(request: HttpRequest, pk: int) -> Question:
    question = get_object_or_404(Question.objects.prefetch_related("choices"), pk=pk)
    if question.author_id != request.user.pk:
        raise Http404("No such question of yours.")
    return question


def option_counts(items: Any) -> list[dict[str, Any]]:
    """Per version: the question as asked (first snapshot) and how often each option was chosen."""
    versions: dict[Any, dict[str, Any]] = {}
    for row in items.filter(answered_at__isnull=False).values(
        "question_version", "stem", "options", "correct", "chosen"
    ):
        version = versions.setdefault(
            row["question_version"] or 1,
            {
                "stem": row["stem"],
                "counts": Counter(dict.fromkeys(row["options"], 0)),
                "answered": 0,
                "keys": Counter(),
            },
        )
        version["answered"] += 1
        if isinstance(row["chosen"], int) and row["chosen"] < len(row["options"]):
            version["counts"][row["options"][row["chosen"]]] += 1
        if isinstance(row["correct"], int):
            version["keys"][row["options"][row["correct"]]] += 1
    return [
        {
            "number": number,
            "stem": data["stem"],
            "answered": data["answered"],
            "options": sorted(
                ((text, count, text in data["keys"]) for text, count in data["counts"].items()),
                key=lambda o: -o[1],
            ),
        }
        for number, data in sorted(versions.items())
    ]


@teacher_required
@require_GET
def question_reports(request: HttpRequest, pk: int) -> HttpResponse:
    question = _owned_question(request, pk)
    return _question_page(request, question, RegradeForm())


def _question_page(
    request: HttpRequest, question: Question, form: RegradeForm, status: int = 200
) -> HttpResponse:
    try:
        key = regrade.current_key(question)
        to_regrade = regrade.pending_count(regrade.affected_items(question), key)
    except regrade.NoKey as exc:
        key, to_regrade = "", 0
        if request.method == "POST":
            form.add_error(None, str(exc))
    return render(
        request,
        "quiz/reports/question.html",
        {
            "question": question,
            "key": key,
            "to_regrade": to_regrade,
            "versions": option_counts(question.items.all()),
            "reports": question.reports.select_related("user").order_by("-created_at")[:200],
            "form": form,
            "edit_url": reverse("admin:quiz_question_change", args=[question.pk]),
            "corrections": question.corrections.order_by("-created_at")[:20],
            "corrected_facts": facts.pending().filter(fact__questions=question),
        },
        status=status,
    )


@teacher_required
@require_POST
def question_regrade(request: HttpRequest, pk: int) -> HttpResponse:
    question = _owned_question(request, pk)
    form = RegradeForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, form, status=400)
    try:
        changed = regrade.regrade_question(question, by=request.user, note=form.cleaned_data["note"])
    except regrade.NoKey as exc:
        form.add_error(None, str(exc))
        return _question_page(request, question, form, status=400)
    if changed:
        messages.success(request, f"Regraded: {changed} answer{'s' if changed != 1 else ''} re-scored.")
    else:
        messages.info(request, "Nothing to regrade: every attempt already has this key.")
    return redirect("report_question", question.pk)


@teacher_required
@require_POST
def question_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    question = _owned_question(request, pk)
    count = question.reports.open().update(status=Report.Status.DISMISSED, decided_at=timezone.now())
    messages.info(
        request, f"{count} report{'s' if count != 1 else ''} dismissed: the question stays as it is."
    )
    return redirect("report_question", question.pk)


def _editor(request: HttpRequest) -> None:
    if not is_editor(request.user):
        raise Http404("Only dossier editors decide on generated questions.")


def _same_generated(item: Item) -> QuerySet[Item]:
    """The items that asked the same generated question (same fact, same stem)."""
    return Item.objects.filter(question__isnull=True, stem=item.stem, fact=item.fact)


@reports_required
@require_GET
def generated_reports(request: HttpRequest, item_id: int) -> HttpResponse:
    _editor(request)
    reported = Item.objects.filter(question__isnull=True, reports__isnull=False).distinct()
    item = get_object_or_404(reported, pk=item_id)
    same = _same_generated(item)
    return render(
        request,
        "quiz/reports/generated.html",
        {
            "item": item,
            "versions": option_counts(same),
            "reports": Report.objects.filter(item__in=same).select_related("user")[:200],
            "fact": item.fact,
        },
    )


@reports_required
@require_POST
def generated_dismiss(request: HttpRequest, item_id: int) -> HttpResponse:
    _editor(request)
    item = get_object_or_404(Item.objects.filter(question__isnull=True), pk=item_id)
    Report.objects.open().filter(item__in=_same_generated(item)).update(
        status=Report.Status.DISMISSED, decided_at=timezone.now()
    )
    messages.info(request, "Reports dismissed.")
    return redirect("report_queue")


@reports_required
@require_GET
def fact_change(request: HttpRequest, fact_id: int) -> HttpResponse:
    _editor(request)
    seen = get_object_or_404(FactAnswer.objects.select_related("fact__topic"), pk=fact_id)
    fact = seen.fact
    return render(
        request,
        "quiz/reports/fact.html",
        {
            "seen": seen,
            "fact": fact,
            "questions": Question.objects.filter(facts=fact).select_related("author"),
            "to_regrade": regrade.pending_count(regrade.fact_items(fact), fact.answer, fact),
            "form": RegradeForm(),
        },
    )


@reports_required
@require_POST
def fact_decide(request: HttpRequest, fact_id: int) -> HttpResponse:
    _editor(request)
    seen = get_object_or_404(FactAnswer, pk=fact_id)
    fact = get_object_or_404(Fact, pk=fact_id)
    form = RegradeForm(request.POST)
    if request.POST.get("decision") == "regrade" and form.is_valid():
        changed = regrade.regrade_fact(fact, by=request.user, note=form.cleaned_data["note"])
        messages.success(request, f"Regraded: {changed} answer{'s' if changed != 1 else ''} re-scored.")
    facts.decide(seen)
    return redirect("report_queue")
