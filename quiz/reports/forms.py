"""The students' report form and the teacher's regrade form."""

from __future__ import annotations

from django import forms

from quiz.reports.models import Report


class ReportForm(forms.ModelForm):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong?"
    )

    class Meta:
        model = Report
        fields = ["reason", "note", "passage"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }
        labels = {
            "note": "Tell the teacher more (optional)",
            "passage": "Where it says so (optional): a link or a quote",
        }


class RegradeForm(forms.Form):
    note = forms.CharField(
        max_length=500,
        required=False,
        label="A note for the students (optional)",
        help_text="Shown on the results page of every attempt this regrade changes.",
    )
