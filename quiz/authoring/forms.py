"""Admin forms for teacher-written questions and quizzes, and the rules they enforce.

The rules for a question's choices (how many, how many correct, no two alike) are plain
functions here, so the admin inline and the CSV importer (:mod:`quiz.authoring.csv_import`)
refuse exactly the same questions.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from content.models import Fact, Section, Topic
from quiz.authoring.rules import (
    choice_count_problem,
    correct_count_problem,
    repeated_choices,
)
from quiz.models import Choice, Question, stem_key


class ChoiceInlineFormSet(BaseInlineFormSet):
    """The choices of a question: 2–6 of them, exactly one correct, no two alike.

    Rows marked for deletion and extra rows left empty do not count. The errors are
    raised from :meth:`clean`, so the admin shows them at the top of the inline.
    """

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # a row is already wrong (e.g. empty text); fix that first
        live = [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))  # type: ignore[attr-defined]  # Django's own, private so not in the stubs
        ]
        problems = [
            choice_count_problem(len(live)),
            correct_count_problem(sum(bool(form.cleaned_data.get("is_correct")) for form in live)),
        ]
        texts = [form.cleaned_data["text"] for form in live]
        for index, earlier in repeated_choices(texts).items():
            message = f"Same answer as “{texts[earlier]}” (case, accents and punctuation are ignored)."
            live[index].add_error("text", message)
            problems.append(f"Two choices say the same thing: “{texts[earlier]}” and “{texts[index]}”.")
        errors = [problem for problem in problems if problem]
        if errors:
            raise ValidationError(errors)
        # Keep the order the rows are shown in; the inline does not show the field.
        for position, form in enumerate(live):
            form.instance.order = position
        self._ordered = [form.instance for form in live]

    def save(self, commit: bool = True) -> list[Choice]:
        saved = super().save(commit)
        if commit:
            # Unchanged rows are not saved by the formset; their position may still have moved.
            Choice.objects.bulk_update([choice for choice in self._ordered if choice.pk], ["order"])
        return saved


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["topic", "stem", "explanation", "difficulty", "status", "tags", "section", "facts"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Section labels name their topic: fetch it with the section, not once per option.
        section = self.fields.get("section")
        if isinstance(section, forms.ModelChoiceField):
            section.queryset = Section.objects.select_related("topic")
        facts = self.fields.get("facts")
        if isinstance(facts, forms.ModelChoiceField):
            facts.queryset = Fact.objects.only("pk", "subject", "answer", "topic_id")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        topic = cleaned.get("topic")
        if topic is None:
            return cleaned
        section = cleaned.get("section")
        if section is not None and section.topic_id != topic.pk:
            self.add_error(
                "section",
                f"This section belongs to the dossier “{section.topic.title}”, not to "
                f"“{topic.title}”. Pick a section of the question's own dossier, or none.",
            )
        stem = cleaned.get("stem")
        if stem:
            twin = self._same_question(topic, stem)
            if twin is not None:
                self.add_error(
                    "stem",
                    format_html(
                        'The dossier “{}” already has this question: <a href="{}">edit that one</a> '
                        "instead of writing it twice.",
                        topic.title,
                        reverse("admin:quiz_question_change", args=[twin]),
                    ),
                )
        facts = cleaned.get("facts") or []
        strangers = [fact for fact in facts if fact.topic_id != topic.pk]
        if strangers:
            names = ", ".join(f"“{fact.subject}”" for fact in strangers)
            self.add_error("facts", f"These facts belong to another dossier than “{topic.title}”: {names}.")
        return cleaned

    def _same_question(self, topic: Topic, stem: str) -> int | None:
        """The id of another question of ``topic`` with this stem (as :func:`stem_key`
        compares them), the way a CSV import refuses it."""
        key = stem_key(stem)
        others = Question.objects.filter(topic=topic).exclude(pk=self.instance.pk).order_by("pk")
        for pk, other in others.values_list("pk", "stem"):
            if stem_key(other) == key:
                return pk
        return None
