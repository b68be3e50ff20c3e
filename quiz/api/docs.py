"""The interactive API docs (Swagger UI), served from django-ninja's own static files.

No CDN and no inline script, so the page works under the site's Content Security Policy
(``script-src 'self'``): the settings travel as a JSON data block that ninja's
``swagger-ui-init.js`` reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    """Swagger UI from ``static/ninja/``, in our own page template."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": self.settings,
            "api": api,
            "add_csrf": True,  # the teacher endpoints take a session with X-CSRFToken too
        }
        return render(request, self.template, context)
