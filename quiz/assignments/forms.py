"""The form a teacher sets an assignment with; times are in the school's time zone."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from content.models import Topic
from quiz.assignments.models import Assignment
from quiz.models import MAX_QUIZ_QUESTIONS, Quiz

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class AssignmentForm(forms.ModelForm):
    """Setting an assignment. Views process it inside ``timezone.override(<school zone>)``,
    so a time typed without a zone is read in the school's zone."""

    class Meta:
        model = Assignment
        fields: tuple[str, ...] = (
            "quiz",
            "opens_at",
            "due_at",
            "attempt_limit",
            "counts",
            "time_limit_minutes",
            "answers_shown",
            "late_allowed",
        )
        labels = {
            "opens_at": "Opens",
            "due_at": "Due",
            "attempt_limit": "Attempts allowed",
            "time_limit_minutes": "Time limit (minutes)",
            "answers_shown": "Show the right answers",
        }
        help_texts = {"time_limit_minutes": "Leave empty for no time limit."}
        widgets = {"opens_at": DateTimeInput(), "due_at": DateTimeInput()}

    def __init__(self, *args: Any, teacher: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quiz_field = self.fields.get("quiz")
        if isinstance(quiz_field, forms.ModelChoiceField):
            # Published quizzes, and the teacher's own (drafts too).
            quiz_field.queryset = (
                Quiz.objects.filter(Q(published=True) | Q(owner=teacher))
                .select_related("topic")
                .order_by("title")
            )
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("opens_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_due_at(self) -> Any:
        """A new due date must be still to come; an edit that keeps the due date as it was
        (an assignment already past due whose attempt limit is raised) is not refused."""
        due = self.cleaned_data.get("due_at")
        previous = self.instance.due_at if self.instance.pk is not None else None
        if due is not None and previous is not None and abs(due - previous) < timedelta(minutes=1):
            return previous  # kept as it was (the form shows minutes only)
        if due is not None and due <= timezone.now():
            raise forms.ValidationError("The due date is in the past: choose a time still to come.")
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, due = data.get("opens_at"), data.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", "The due date must come after the opening time.")
        return data


class AssignmentChangeForm(AssignmentForm):
    """Changing an assignment: its window, limits and policy, checked as when it was set.
    The quiz stays (its students' attempts answered it); to give another, assign that one."""

    class Meta(AssignmentForm.Meta):
        fields = tuple(name for name in AssignmentForm.Meta.fields if name != "quiz")


class QuizRulesForm(forms.ModelForm):
    """A teacher's quiz by rules: a dossier, a tag, a mix of question forms, a length;
    kept as a draft or published. The model's ``clean`` refuses publishing an empty quiz."""

    class Meta:
        model = Quiz
        fields = ("title", "topic", "tag", "mix", "question_count", "published")
        labels = {
            "topic": "Dossier",
            "question_count": "Number of questions",
            "published": "Publish (others can play and assign it)",
        }
        help_texts = {"tag": "Optional: only questions with this tag."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ModelChoiceField)
        topic_field.queryset = Topic.objects.published().order_by("title")
        self.fields["question_count"].widget.attrs.update({"min": 1, "max": MAX_QUIZ_QUESTIONS})


class PickedQuizForm(forms.ModelForm):
    """A quiz built by hand: its title and whether it is published (its questions are
    picked on its questions page, not drawn by rules)."""

    class Meta:
        model = Quiz
        fields = ("title", "published")
        labels = {"published": "Publish (others can play and assign it)"}
