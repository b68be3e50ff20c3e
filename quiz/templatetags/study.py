"""``{% study_settings_form %}``: the study settings form, for the profile page."""

from __future__ import annotations

from typing import Any

from django import template

from quiz.study.forms import StudySettingsForm
from quiz.study.memory import settings_for

register = template.Library()


@register.inclusion_tag("quiz/study/_settings_form.html", takes_context=True)
def study_settings_form(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    return {
        "form": StudySettingsForm(instance=settings_for(user.pk)),
        "csrf_token": context.get("csrf_token"),
    }
