"""Error pages in the site's layout, each with a way back (the suite runs with DEBUG off)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from config import settings as project_settings
from config.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def _raise(exc: Exception):
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


urlpatterns = [
    path("boom/", _raise(RuntimeError("a bug"))),
    path("forbidden/", _raise(PermissionDenied())),
    path("bad/", _raise(SuspiciousOperation("forged"))),
    *site_urls,
]


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/no-such-page/", 404, "There is no page here"),
        ("/forbidden/", 403, "You cannot open this page"),
        ("/bad/", 400, "We could not read that request"),
        ("/boom/", 500, "Something went wrong on our side"),
    ],
)
def test_each_error_has_a_page_in_the_layout_with_a_way_back(url, status, heading):
    response = Client(raise_request_exception=False).get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html
    assert 'class="site-header"' in html  # the site's layout, not Django's bare page
    assert 'href="/"' in html
    assert "Back to the dossiers" in html


def test_an_expired_form_gets_the_csrf_page(client):
    """A POST without its CSRF token: 403 with a page that says what to do."""
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_the_health_check_answers_plain_http_without_a_redirect(settings):
    """Behind a load balancer that checks over plain HTTP, /healthz answers ok even with
    SECURE_SSL_REDIRECT on; every other page still redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = project_settings.SECURE_REDIRECT_EXEMPT
    client = Client()
    health = client.get("/healthz")
    home = client.get("/")
    assert (health.status_code, health.content) == (200, b"ok")
    assert home.status_code == 301
    assert home["Location"].startswith("https://")
