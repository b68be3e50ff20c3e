"""One rule for htmx requests: which ones get a fragment, and the header that says so.

A request gets a fragment (a partial of its page) when htmx sent it, unless it is a
history restore: htmx asks for the whole page when the user goes Back to a page that is
no longer in its history cache, and swaps the whole body. Every response that can be
either a fragment or a page varies on ``HX-Request`` and ``HX-History-Restore-Request``
(a restore sends both), so no cache (the browser's own included) hands a fragment to a
plain page load or to a restore, or the reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.cache import patch_vary_headers

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type checking views)."""

    htmx: HtmxDetails


def is_partial(request: HttpRequest) -> bool:
    """htmx asked for a piece of the page (a history restore needs the whole page)."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


HTMX_VARY = ("HX-Request", "HX-History-Restore-Request")


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, HTMX_VARY)
    return response
