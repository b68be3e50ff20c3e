"""The teacher's API token page: create (or replace) and revoke their one key."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from quiz.api.models import ApiToken
from quiz.permissions import AuthenticatedHttpRequest, teacher_required


@teacher_required
@require_http_methods(["GET", "POST"])
def api_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET shows the token's prefix and dates; POST ``action=create`` shows a new key once
    (the old one stops working), ``action=revoke`` deletes it."""
    key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            _, key = ApiToken.issue(request.user)
        elif action == "revoke":
            ApiToken.objects.filter(user=request.user).delete()
    token = ApiToken.objects.filter(user=request.user).first()
    return render(request, "api/token.html", {"token": token, "key": key})
