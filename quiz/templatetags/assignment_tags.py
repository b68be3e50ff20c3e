"""``{% assigned_to_you %}``: the signed-in student's open assignments, on the home page;
``{% score_hidden attempt %}``: when a hidden score will show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import dateformat, timezone

from quiz.assignments.models import Assignment
from quiz.assignments.play import standing
from quiz.models import Attempt

if TYPE_CHECKING:
    from datetime import datetime

register = template.Library()


def school_time(moment: datetime) -> str:
    """``moment`` as the school reads it: "Mon 2 Dec 2026, 17:00 GMT" in its time zone."""
    local = timezone.localtime(moment, ZoneInfo(settings.SCHOOL_TIME_ZONE))
    return dateformat.format(local, "D j M Y, H:i T")


@register.simple_tag
def score_hidden(attempt: Attempt) -> str:
    """ "Score shown after <due date>" while an assignment keeps the attempt's score hidden,
    else "" (so a template writes ``{% score_hidden attempt as hidden %}{% if hidden %}``)."""
    if attempt.answers_hidden_until is None or not attempt.answers_hidden():
        return ""
    return f"Score shown after {school_time(attempt.answers_hidden_until)}"


@register.inclusion_tag("quiz/assignments/includes/home.html", takes_context=True)
def assigned_to_you(context: dict[str, Any]) -> dict[str, Any]:
    """Two queries for a student in a class, one for anyone else signed in, none signed out."""
    user = context["request"].user
    if not user.is_authenticated:
        return {"standings": []}
    now = timezone.now()
    assignments = list(
        Assignment.objects.for_student(user)
        .filter(opens_at__lte=now)
        .select_related("quiz", "classroom")
        .order_by("due_at", "pk")[:20]
    )
    if not assignments:
        return {"standings": []}
    made: dict[int | None, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user=user, assignment__in=[a.pk for a in assignments]):
        made.setdefault(attempt.assignment_id, []).append(attempt)
    standings = [standing(a, made.get(a.pk, []), now) for a in assignments]
    return {"standings": [s for s in standings if s.status != "done"], "zone": settings.SCHOOL_TIME_ZONE}
