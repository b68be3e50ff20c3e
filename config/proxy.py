"""The client's address, for django-axes' log-in lockout and the rate limits of
:mod:`quiz.accounts.throttle` (``AXES_CLIENT_IP_CALLABLE`` points here, and the throttle asks axes).

Without a proxy it is ``REMOTE_ADDR``. Behind one (``BEHIND_PROXY``), ``REMOTE_ADDR`` is
the proxy's own address, shared by every visitor: one visitor's failed log-ins would lock
everyone out of that account. There it is the address our proxy saw, which it appends to
``X-Forwarded-For``: the last entry with one proxy, or the ``PROXY_COUNT``-th from the
end behind a chain of them. Entries further left come from the client, who can write
anything there, so they are never used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote  # not through the whole chain of proxies: nothing to trust
    return forwarded[-settings.PROXY_COUNT]
