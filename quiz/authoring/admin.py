"""The admin for the quiz app.

Teachers (the Teachers group, see migration 0002) write questions and set up quizzes
here. Attempts and classes hold students' scores: only superusers see them, read-only,
for support.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from quiz.authoring.formats import admin_views
from quiz.authoring.formats.export import quiz_questions, written_questions
from quiz.authoring.forms import ChoiceInlineFormSet, QuestionAdminForm
from quiz.authoring.rules import MAX_CHOICES
from quiz.models import Attempt, Choice, Classroom, Item, Membership, Question, Quiz
from quiz.reports import versions

if TYPE_CHECKING:
    from django.db.models import Model
    from django.forms import ModelForm
    from django_stubs_ext import WithAnnotations


class _ChoiceCount(TypedDict):
    choice_count: int


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = ("text", "is_correct", "note")
    max_num = MAX_CHOICES

    def get_extra(self, request: HttpRequest, obj: Question | None = None, **kwargs: Any) -> int:
        return 4 if obj is None else 1


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["topic", "stem", "explanation", "difficulty", "status", "tags"]}),
        (
            "What the question is about",
            {
                "fields": ["section", "facts"],
                "description": "Optional: the passage and the facts a student can read to learn the answer.",
            },
        ),
        ("Record", {"fields": ["author", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["author", "created_at", "updated_at"]
    filter_horizontal = ["tags", "facts"]
    list_display = ["stem_display", "topic", "status", "difficulty", "choice_count", "author", "updated_at"]
    list_filter = ["topic", "status", "difficulty", "tags"]
    list_select_related = ["topic", "author"]
    search_fields = ["stem", "choices__text"]
    actions = ["publish", "unpublish", "archive", "export_gift", "export_xml"]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, list[str]]:
        """A question students answered cannot be deleted (its items PROTECT it: its
        statistics in every class would go): say so in words, and what to do instead."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            answered = Item.objects.filter(question__in=list(objs)).values("question").distinct().count()
            protected = [
                f"{answered} of these question{'s have' if answered != 1 else ' has'} been answered by "
                "students, and their answers feed class statistics: archive instead (the "
                '"Archive" action on the question list), which takes it out of every quiz and keeps '
                "its statistics."
            ]
        return deleted, counts, perms_needed, protected

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Teachers change only their own questions; others' published ones they may use."""
        return super().has_change_permission(request, obj) and owns(request, obj, "author_id")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and owns(request, obj, "author_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        queryset = super().get_queryset(request).select_related("topic")
        return queryset.annotate(choice_count=Count("choices", distinct=True))

    @admin.display(description="Question", ordering="stem")
    def stem_display(self, obj: Question) -> str:
        return str(obj)

    @admin.display(description="Choices", ordering="choice_count")
    def choice_count(self, obj: WithAnnotations[Question, _ChoiceCount]) -> int:
        return obj.choice_count

    def save_model(
        self, request: HttpRequest, obj: Question, form: ModelForm[Question], change: bool
    ) -> None:
        if not change:
            assert request.user.is_authenticated  # the admin serves logged-in staff only
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change:  # an edit to a question students were asked starts a new version
            edited = bool(versions.CONTENT_FIELDS & set(form.changed_data)) or any(
                f.has_changed() for f in formsets
            )
            versions.after_edit(form.instance, content_changed=edited)

    @admin.action(description="Publish the selected questions", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        selected = Question.objects.filter(pk__in=queryset.values("pk"))
        # Imports from Aiken (or Moodle files without general feedback) have no explanation yet.
        count = selected.exclude(explanation="").update(status=Question.Status.PUBLISHED)
        self.message_user(
            request, f"Published {count} question{'s' if count != 1 else ''}.", messages.SUCCESS
        )
        if unexplained := selected.filter(explanation="").count():
            self.message_user(
                request,
                f"{unexplained} question{'s have' if unexplained != 1 else ' has'} no explanation yet and "
                "stayed a draft: write one, then publish.",
                messages.WARNING,
            )

    @admin.action(description="Unpublish the selected questions (back to draft)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = Question.objects.filter(pk__in=queryset.values("pk")).update(status=Question.Status.DRAFT)
        self.message_user(request, f"Moved {count} question{'s' if count != 1 else ''} back to draft.")

    @admin.action(
        description="Archive the selected questions (out of every quiz, statistics kept)",
        permissions=["change"],
    )
    def archive(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = Question.objects.filter(pk__in=queryset.values("pk")).update(status=Question.Status.ARCHIVED)
        self.message_user(request, f"Archived {count} question{'s' if count != 1 else ''}.")

    @admin.action(description="Export the selected questions as Moodle GIFT", permissions=["view"])
    def export_gift(self, request: HttpRequest, queryset: QuerySet[Question]) -> HttpResponse:
        return admin_views.export_response(
            written_questions(queryset), "gift", name="questions", heading="Selected questions"
        )

    @admin.action(description="Export the selected questions as Moodle XML", permissions=["view"])
    def export_xml(self, request: HttpRequest, queryset: QuerySet[Question]) -> HttpResponse:
        return admin_views.export_response(
            written_questions(queryset), "xml", name="questions", heading="Selected questions"
        )

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        # Before the default URLs: "<path:object_id>/" would swallow "import-csv/".
        return [
            path(
                "import-csv/",
                view(require_http_methods(["GET", "POST"])(partial(admin_views.import_view, self))),
                name=f"{name}_import_csv",
            ),
            path(
                "import-csv/template.csv",
                view(require_GET(partial(admin_views.csv_template_view, self))),
                name=f"{name}_csv_template",
            ),
            path("export/", view(require_GET(partial(admin_views.export_view, self))), name=f"{name}_export"),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{name}_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_GET(self._preview)(request, object_id)

    def _preview(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The question as a student sees it, then the answer key in a box of its own."""
        question = self.get_object(request, unquote(object_id))
        if question is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]  # Django's own, private so not in the stubs
        if not self.has_view_or_change_permission(request, question):
            raise PermissionDenied
        choices = list(question.choices.all())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Preview as a student",
            "question": question,
            # The student's part gets the texts only: nothing in it can tell the answer.
            "options": [choice.text for choice in choices],
            "answer": next((choice.text for choice in choices if choice.is_correct), None),
        }
        return TemplateResponse(request, "admin/quiz/question/preview.html", context)


def owns(request: HttpRequest, obj: Model | None, field: str) -> bool:
    """Superusers own everything (the site's default quizzes and unowned rows included)."""
    return obj is None or request.user.is_superuser or getattr(obj, field) == request.user.pk


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    fields = [
        "title",
        "slug",
        "topic",
        "tag",
        "question_count",
        "allow_length_choice",
        "mix",
        "shuffle",
        "time_limit_seconds",
        "published",
        "is_default",
    ]
    readonly_fields = ["is_default"]
    prepopulated_fields = {"slug": ["title"]}
    list_display = [
        "title",
        "topic",
        "mix",
        "question_count",
        "time_limit_seconds",
        "published",
        "is_default",
    ]
    list_filter = ["published", "mix", "is_default", "topic"]
    list_select_related = ["topic"]
    search_fields = ["title", "slug"]
    actions = ["export_gift", "export_xml"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """A teacher changes their own quizzes; the site's (no owner) are superusers'."""
        return super().has_change_permission(request, obj) and owns(request, obj, "owner_id")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and owns(request, obj, "owner_id")

    def save_model(self, request: HttpRequest, obj: Quiz, form: ModelForm[Quiz], change: bool) -> None:
        if not change and not request.user.is_superuser:
            obj.owner_id = request.user.pk
        super().save_model(request, obj, form, change)

    @admin.action(
        description="Export what the selected quizzes draw from as Moodle GIFT", permissions=["view"]
    )
    def export_gift(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> HttpResponse:
        return self._export(queryset, "gift")

    @admin.action(
        description="Export what the selected quizzes draw from as Moodle XML", permissions=["view"]
    )
    def export_xml(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> HttpResponse:
        return self._export(queryset, "xml")

    def _export(self, queryset: QuerySet[Quiz], format: str) -> HttpResponse:
        quizzes = list(queryset.select_related("topic", "tag").order_by("title"))
        exports = [export for quiz in quizzes for export in quiz_questions(quiz)]
        name = quizzes[0].slug if len(quizzes) == 1 else "quizzes"
        heading = "Quizzes: " + ", ".join(quiz.title for quiz in quizzes)
        return admin_views.export_response(exports, format, name=name, heading=heading)


class SuperuserReadOnlyMixin:
    """Students' results: superusers may look (for support); nobody edits them here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ItemInline(SuperuserReadOnlyMixin, admin.TabularInline):
    model = Item
    fields = ("position", "form", "stem", "options", "correct", "chosen", "is_correct", "answered_at")
    readonly_fields = fields
    extra = 0


@admin.register(Attempt)
class AttemptAdmin(SuperuserReadOnlyMixin, admin.ModelAdmin):
    inlines = [ItemInline]
    list_display = ["id", "quiz", "user", "mode", "score", "length", "started_at", "finished_at"]
    list_filter = ["mode", "started_at"]
    list_select_related = ["quiz", "user"]
    search_fields = ["user__username", "share_code", "quiz__title"]
    date_hierarchy = "started_at"


class MembershipInline(SuperuserReadOnlyMixin, admin.TabularInline):
    model = Membership
    fields = ("student", "joined_at")
    readonly_fields = fields
    extra = 0


@admin.register(Classroom)
class ClassroomAdmin(SuperuserReadOnlyMixin, admin.ModelAdmin):
    inlines = [MembershipInline]
    list_display = ["name", "teacher", "join_code", "created_at"]
    list_select_related = ["teacher"]
    search_fields = ["name", "join_code", "teacher__username"]
