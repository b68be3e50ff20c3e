"""Forms of the classes area: create a class, join one by its code, filter its results."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from quiz.models import Classroom, Quiz

if TYPE_CHECKING:
    from django.db.models import QuerySet


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ("name",)
        labels = {"name": "Class name"}
        help_texts = {"name": 'For example "Year 11 history, group B".'}


def normalise_join_code(raw: str) -> str:
    """Join codes are read aloud and typed by hand: case and spacing do not matter."""
    return re.sub(r"[\s-]+", "", raw).upper()


class JoinClassForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=40,
        help_text="The eight-character code your teacher gave you.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> Classroom:
        code = normalise_join_code(self.cleaned_data["code"])
        classroom = Classroom.objects.filter(join_code=code).select_related("teacher").first()
        if classroom is None:
            raise forms.ValidationError(
                "No class has that join code. Check the code with your teacher and try again.",
                code="unknown_code",
            )
        return classroom


class ClassAttemptFilterForm(forms.Form):
    """GET filters on a class page. Dates are UTC days, both ends included."""

    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.none(), required=False, to_field_name="slug", empty_label="All quizzes"
    )
    # The app's first and last plausible days: a date outside them filters nothing useful,
    # and the last day of year 9999 has no next day to end the filter with (a 500 once).
    FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)
    _range = f"Pick a day between {FIRST_DAY:%-d %B %Y} and {LAST_DAY:%-d %B %Y}."
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY, "max": LAST_DAY}),
        validators=[MinValueValidator(FIRST_DAY, _range), MaxValueValidator(LAST_DAY, _range)],
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY, "max": LAST_DAY}),
        validators=[MinValueValidator(FIRST_DAY, _range), MaxValueValidator(LAST_DAY, _range)],
    )

    def __init__(self, *args: Any, quizzes: QuerySet[Quiz] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quiz = self.fields["quiz"]
        if quizzes is not None and isinstance(quiz, forms.ModelChoiceField):
            quiz.queryset = quizzes

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def filters(self) -> dict[str, object]:
        """The valid filters as keyword arguments for :func:`quiz.classes.results.class_attempts`."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "quiz": data.get("quiz"),
            "since": data.get("since"),
            "until": data.get("until"),
        }
