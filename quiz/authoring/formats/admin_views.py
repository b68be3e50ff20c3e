"""The question admin's import and export pages and export actions (wired in :mod:`quiz.admin`).

- Import: one page for every format (:func:`import_view`), with the CSV template to download
  (:func:`csv_template_view`).
- Export: a page (:func:`export_view`, a GET form: nothing changes, so a link can hold it)
  for a teacher's own questions, a quiz or a dossier's generated bank; and admin actions on
  selected questions and quizzes (:func:`export_response`).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from content.models import Topic
from quiz.authoring.csv_import import COLUMNS, REQUIRED_COLUMNS
from quiz.authoring.formats import FORMATS, NEED_TOPIC, detect_format, import_file
from quiz.authoring.formats.export import (
    EXPORT_FORMATS,
    Export,
    dossier_bank,
    file_name,
    quiz_questions,
    render,
    teacher_questions,
)
from quiz.models import Quiz

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # thousands of questions; more is a mistake, not a file
EXPORT_CHOICES = [("gift", "Moodle GIFT (.gift)"), ("xml", "Moodle XML (.xml)")]


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="UTF-8: CSV, GIFT, Aiken or Moodle XML, at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.gift,.txt,.aiken,.xml,text/csv,text/plain"}),
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("", "Tell from the file name"), *FORMATS.items()],
        required=False,
        help_text=".csv, .gift, .xml, .aiken; a .txt file is GIFT if it has braces, "
        "Aiken if it has ANSWER: lines.",
    )
    topic = forms.ModelChoiceField(
        label="Dossier",
        queryset=Topic.objects.order_by("title"),
        required=False,
        help_text="Where GIFT, Aiken and Moodle XML questions go (those files do not say). "
        "A CSV file names the dossier of each row in its topic column.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_IMPORT_BYTES:
            self.add_error("file", f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
            return cleaned
        cleaned["data"] = data = upload.read()
        format = cleaned.get("format") or detect_format(upload.name or "", data)
        if format is None:
            self.add_error("format", f"Cannot tell the format of “{upload.name}”: choose it here.")
        elif format in NEED_TOPIC and cleaned.get("topic") is None:
            self.add_error("topic", f"A {FORMATS[format]} file does not name the dossier: choose it here.")
        cleaned["format"] = format
        return cleaned


def import_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload a file of questions: all are imported, or none and every problem is shown."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    errors: list[str] = []
    form = (
        QuestionImportForm(request.POST, request.FILES) if request.method == "POST" else QuestionImportForm()
    )
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        assert request.user.is_authenticated  # the admin serves logged-in staff only
        result = import_file(
            form.cleaned_data["data"],
            format=form.cleaned_data["format"],
            topic=form.cleaned_data["topic"] if form.cleaned_data["format"] in NEED_TOPIC else None,
            author=request.user,
        )
        if result.ok:
            count = len(result.questions)
            drafts = " as drafts" if form.cleaned_data["format"] in NEED_TOPIC else ""
            model_admin.message_user(
                request,
                f"Imported {count} question{'s' if count != 1 else ''} from {upload.name}{drafts}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:quiz_question_changelist"))
        errors = [str(problem) for problem in result.errors]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Import questions",
        "form": form,
        "errors": errors,
        "columns": COLUMNS,
        "required_columns": REQUIRED_COLUMNS,
    }
    return TemplateResponse(request, "admin/quiz/question/import.html", context)


def csv_template() -> str:
    """A CSV file with every column and one example row, to fill in a spreadsheet."""
    example = {
        "topic": Topic.objects.order_by("slug").values_list("slug", flat=True).first() or "dossier-slug",
        "stem": "Which treaty fixed the Russia–Qing border in 1689?",
        "choice_1": "Treaty of Nerchinsk",
        "choice_2": "Treaty of Aigun",
        "choice_3": "Treaty of Peking",
        "correct": "1",
        "explanation": "Nerchinsk (1689) was the first; Aigun and Peking came in 1858–1860.",
        "difficulty": "medium",
        "status": "draft",
        "note_2": "Signed in 1858.",
        "note_3": "Signed in 1860.",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue()


def csv_template_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    # With a byte-order mark, Excel opens the file as UTF-8; the importer skips it.
    response = HttpResponse("\ufeff" + csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="questions-template.csv"'
    return response


def export_response(exports: list[Export], format: str, *, name: str, heading: str) -> HttpResponse:
    """The export file as a download; what could not be exported is listed in its heading."""
    skipped = [f"Not exported: {reason}" for export in exports for reason in export.skipped]
    heading = "\n".join([heading, *skipped])
    content_type, _ = EXPORT_FORMATS[format]
    response = HttpResponse(
        render(exports, format, heading=heading), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(name, format)}"'
    return response


class ExportForm(forms.Form):
    what = forms.ChoiceField(
        label="Questions",
        choices=[
            ("mine", "The questions I wrote or imported"),
            ("quiz", "What a quiz draws from"),
            ("bank", "A dossier's whole generated bank"),
        ],
        widget=forms.RadioSelect,
    )
    quiz = forms.ModelChoiceField(
        label="Quiz", queryset=Quiz.objects.select_related("topic").order_by("title"), required=False
    )
    topic = forms.ModelChoiceField(label="Dossier", queryset=Topic.objects.order_by("title"), required=False)
    format = forms.ChoiceField(label="Format", choices=EXPORT_CHOICES, widget=forms.RadioSelect)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("what") == "quiz" and cleaned.get("quiz") is None:
            self.add_error("quiz", "Choose the quiz to export.")
        if cleaned.get("what") == "bank" and cleaned.get("topic") is None:
            self.add_error("topic", "Choose the dossier whose generated questions to export.")
        return cleaned


def export_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Choose what to export and the format; a valid choice downloads the file."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = ExportForm(
        request.GET if "what" in request.GET else None, initial={"what": "mine", "format": "gift"}
    )
    if form.is_bound and form.is_valid():
        what, format = form.cleaned_data["what"], form.cleaned_data["format"]
        if what == "mine":
            assert request.user.is_authenticated  # the admin serves logged-in staff only
            exports, name = teacher_questions(request.user), f"questions-{request.user.get_username()}"
            heading = f"Questions by {request.user.get_username()}"
        elif what == "quiz":
            quiz = form.cleaned_data["quiz"]
            exports, name, heading = quiz_questions(quiz), quiz.slug, f"Quiz: {quiz.title}"
        else:
            topic = form.cleaned_data["topic"]
            exports, name = [dossier_bank(topic)], f"{topic.slug}-generated"
            heading = f"Generated questions: {topic.title}"
        return export_response(exports, format, name=name, heading=heading)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Export questions for Moodle",
        "form": form,
    }
    return TemplateResponse(request, "admin/quiz/question/export.html", context)
