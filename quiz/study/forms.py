"""The study settings form (profile page and ``/review/settings/``)."""

from __future__ import annotations

from django import forms

from quiz.study.models import MAX_RETENTION, MIN_RETENTION, StudySettings


class StudySettingsForm(forms.ModelForm):
    desired_retention = forms.FloatField(
        label="Desired retention",
        min_value=MIN_RETENTION,
        max_value=MAX_RETENTION,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=(
            f"Between {MIN_RETENTION} and {MAX_RETENTION}: the share of facts you want to still recall "
            "when they come up. Higher means more frequent reviews."
        ),
        error_messages={
            "min_value": f"Choose a retention of at least {MIN_RETENTION}.",
            "max_value": f"Choose a retention of at most {MAX_RETENTION}.",
            "invalid": f"Enter a number such as 0.9 (between {MIN_RETENTION} and {MAX_RETENTION}).",
        },
    )

    class Meta:
        model = StudySettings
        fields = ("desired_retention", "new_per_day")
        labels = {"new_per_day": "New facts a day"}
