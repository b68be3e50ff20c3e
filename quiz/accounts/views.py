"""Account pages: sign up, log in, profile, and a player's history.

Anyone can play without an account. Their attempts carry the session key; signing up or
logging in moves them to the account. ``login()`` cycles the session key, so the old key
is read before it. (Done in the two views, not in a signal: it is part of what these
views do, and a test reads it here.)

Log out, password change and password reset are Django's own views with our templates
(``templates/registration/``); they are wired in :mod:`quiz.accounts.urls`. Sign-ups and
password-reset requests are rate-limited by :mod:`quiz.accounts.throttle` (log-ins by django-axes).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from quiz.accounts import throttle
from quiz.accounts.forms import EmailForm, SignupForm
from quiz.accounts.history import (
    accuracy,
    attempt_totals,
    best_per_quiz,
    current_streak,
    days_played,
    history_attempts,
)
from quiz.models import Attempt, Item, Player
from quiz.permissions import is_teacher
from quiz.study import memory as study

if TYPE_CHECKING:
    from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
    from django.contrib.auth.models import User
    from django.http import HttpRequest, HttpResponse

    from quiz.permissions import AuthenticatedHttpRequest

HISTORY_PAGE_SIZE = 50


def claim_anonymous_attempts(user: User, session_key: str | None) -> int:
    """Move the attempts played anonymously in this session to ``user``; how many moved.

    Then every attempt of the user on a question set they had already played (their own
    attempt's challenge, a challenge of a friend's challenge of it...) becomes a replay,
    which counts on no leaderboard: logging in after playing a chain anonymously gains
    nothing.
    """
    if not session_key:  # never match every anonymous attempt with an empty key
        return 0
    moved = Attempt.objects.filter(user=None, session_key=session_key).update(user=user, session_key="")
    if moved:
        Attempt.objects.mark_replays(user.pk)
    return moved


def safe_next(request: HttpRequest) -> str:
    """The ``next`` parameter if it stays on this site, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


class LoginView(auth_views.LoginView):
    """Django's login (``next`` checked against this host; django-axes throttles it)."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)
        # The anonymous session's pending answers reach its cards before they move.
        study.catch_up(Player(user_id=None, session_key=old_key or ""), timezone.now())
        claim_anonymous_attempts(form.get_user(), old_key)
        study.claim_anonymous_cards(form.get_user(), old_key)
        return response


login_view = LoginView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address and per email address.

    Counted only once the form is valid, and per address whether or not an account has
    it: the throttled answer, like Django's "sent" page, says nothing about who exists.
    """

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        retry_at = throttle.check(
            (throttle.RESET_PER_IP, throttle.client_ip(self.request)),
            (throttle.RESET_PER_EMAIL, throttle.normalise_email(form.cleaned_data["email"])),
        )
        if retry_at is not None:
            return throttle.refused(self.request, retry_at, "password_reset")
        return super().form_valid(form)


password_reset_view = PasswordResetView.as_view()


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request) or settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        retry_at = throttle.check((throttle.SIGNUP_PER_IP, throttle.client_ip(request)))
        if retry_at is not None:
            return throttle.refused(request, retry_at, "signup")
        user = form.save()
        old_key = request.session.session_key
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # The anonymous session's pending answers reach its cards before they move.
        study.catch_up(Player(user_id=None, session_key=old_key or ""), timezone.now())
        claimed = claim_anonymous_attempts(user, old_key)
        study.claim_anonymous_cards(user, old_key)
        note = (
            f" The {claimed} quiz{'zes' if claimed != 1 else ''} you played are saved to it."
            if claimed
            else ""
        )
        messages.success(request, f"Welcome, {user.username}. Your account is ready.{note}")
        return redirect(safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "registration/signup.html", {"form": form, "next": safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    email = user.email  # the form writes into the instance, valid or not
    form = EmailForm(request.POST if request.method == "POST" else None, instance=user)
    if form.is_valid():
        form.save()
        messages.success(request, "Your email address is saved.")
        return redirect("profile")
    memberships = user.memberships.current().select_related("classroom__teacher").order_by("classroom__name")
    context = {
        "form": form,
        "email": email,
        "memberships": memberships,
        "taught": user.classrooms.order_by("name") if is_teacher(user) else None,
    }
    return render(request, "quiz/accounts/profile.html", context)


@login_required
@require_GET
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every attempt, best per quiz, accuracy per tag and section, the streak, totals."""
    user = request.user
    Attempt.objects.close_overdue()
    totals = attempt_totals(user)
    if not totals["attempts"]:
        return render(request, "quiz/accounts/history.html", {"empty": True})
    items = Item.objects.filter(attempt__user=user)
    page = Paginator(history_attempts(user), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "empty": False,
        "totals": totals,
        "page": page,
        "best": best_per_quiz(user),
        # An assignment's answers (right or wrong) count once its score may be shown.
        "accuracy": accuracy(items.exclude(attempt__answers_hidden_until__gt=timezone.now())),
        "streak": current_streak(days_played(items), timezone.now().astimezone(dt.UTC).date()),
    }
    return render(request, "quiz/accounts/history.html", context)
