"""``{% assigned_to_you %}``: the signed-in student's open assignments, on the home page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from quiz.assignments.models import Assignment
from quiz.assignments.play import standing
from quiz.models import Attempt

register = template.Library()


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
