"""Who may do what: teachers, dossier editors, and the template flags that tell the header.

A teacher is a member of the ``Teachers`` group, or a superuser. A dossier editor holds
the permission to handle reports on generated questions (the ``Dossier editors`` group
has it, with the dossier content's admin rights; superusers have every permission). Each
answer is cached on the user object, so a page that asks several times (view, header)
pays once.
"""

from __future__ import annotations

from functools import partial, wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from quiz.models import TEACHERS_GROUP

#: The group migration 0014 gives the dossier content's admin rights and
#: :data:`HANDLE_GENERATED_REPORTS`.
EDITORS_GROUP = "Dossier editors"
HANDLE_GENERATED_REPORTS = "quiz.handle_generated_reports"

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpResponse


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required`` (or :func:`teacher_required`)."""

    user: User


def is_teacher(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_teacher", None)
    if cached is None:
        cached = user.groups.filter(name=TEACHERS_GROUP).exists()
        user._is_teacher = cached  # type: ignore[attr-defined]  # a cache for this request's user object
    return cached


def is_editor(user: User | AnonymousUser) -> bool:
    """A dossier editor: decides on reports on generated questions and corrected facts."""
    return user.is_authenticated and user.has_perm(HANDLE_GENERATED_REPORTS)


def handles_reports(user: User | AnonymousUser) -> bool:
    """Whoever has a report queue: teachers (their own questions) and dossier editors."""
    return is_teacher(user) or is_editor(user)


def reports_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first (redirect), then 403 for anyone with no report queue."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not handles_reports(request.user):
            raise PermissionDenied("Only teachers and dossier editors handle reports.")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def teacher_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first (redirect), then 403 for anyone who is not a teacher."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_teacher(request.user):
            raise PermissionDenied("Only teachers can do this.")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def account_flags(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """Context processor: ``{% if is_teacher %}`` and ``{% if is_editor %}`` in any template.

    The value is a callable, which the template engine calls only when a template asks,
    so pages that never look (or anonymous visitors) run no query.
    """
    return {"is_teacher": partial(is_teacher, request.user), "is_editor": partial(is_editor, request.user)}
