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


#: The pages whose nav entry shows the count. Elsewhere the entry is a plain link, so a
#: signed-in page costs no query more (the question pages are the app's hottest).
COUNTED_PAGES = frozenset({"home", "assigned_list", "assignment_detail", "class_list"})


def assigned_flags(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """``{{ assigned_count }}``: the header shows it twice (wide and narrow), one query."""
    match = request.resolver_match
    if match is None or match.url_name not in COUNTED_PAGES:
        return {"assigned_count": int}
    return {"assigned_count": cache(partial(waiting_count, request.user))}
