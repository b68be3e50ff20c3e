"""Context processor: how many assignments wait for the signed-in student (the nav count)."""

from __future__ import annotations

from functools import cache, partial
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from quiz.assignments.models import Assignment
from quiz.models import Attempt

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest


def waiting_count(user: User | AnonymousUser) -> int:
    """Open assignments (not past due, or accepting late work) with no finished attempt of
    the user's: one query, run only when a template asks."""
    if not user.is_authenticated:
        return 0
    now = timezone.now()
    finished = Attempt.objects.filter(
        assignment=OuterRef("pk"), user=user, mode=Attempt.Mode.NORMAL, finished_at__isnull=False
    )
    return (
        Assignment.objects.for_student(user)
        .filter(Q(due_at__gt=now) | Q(late_allowed=True), opens_at__lte=now)
        .exclude(Exists(finished))
        .count()
    )


def assigned_flags(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """Context processor: ``{{ assigned_count }}``, the count in the navigation.

    A callable, so only a template that shows it runs the query: the nav's "Assigned to
    you" entry, which a signed-in student has on every page (teachers and signed-out
    visitors have no such entry, so no query). One query per request: the header shows
    the nav twice (wide and narrow) and the answer is kept.
    """
    return {"assigned_count": cache(partial(_count, request))}


def _count(request: HttpRequest) -> int:
    return waiting_count(request.user)
