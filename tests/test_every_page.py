"""Every page of the site renders, and no template syntax leaks into what a person sees.

A multi-line ``{# #}`` showed as text on every question card for a whole turn: Django's
``{# #}`` is one line only. This walks every page (each page the accessibility audit
visits, each question form unanswered and answered, with and without htmx, results,
review, class pages, error pages, and every page of the admin) and fails when the
visible text (text nodes outside <script> and <style>, plus alt, title, placeholder,
aria-label and the value of visible inputs and buttons) holds ``{#``, ``#}``, ``{%``,
``%}``, ``{{`` or ``}}``.

A new page is added to :func:`site_pages` (and to the axe audit in tests/browser/).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.conftest import site_pages
from tests.factories import (
    PASSWORD,
    AttemptFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEMPLATE_SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and (
                name in VISIBLE_ATTRIBUTES
                or (name == "value" and values.get("type") not in {"hidden"} and tag in {"input", "button"})
            ):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def template_leaks(html: str) -> list[str]:
    text = visible_text(html)
    found = []
    for token in TEMPLATE_SYNTAX:
        at = text.find(token)
        if at >= 0:
            found.append(f"{token!r} in …{text[max(0, at - 60) : at + 60]!r}…")
    return found


def test_the_check_sees_a_leaked_comment_and_ignores_scripts():
    """The guard itself: a comment left as text is caught; the same characters in a
    script, a style or a hidden input are not what a person sees."""
    leaked = "<p>{# The options of an unanswered question.</p><button>1</button>"
    clean = '<script>var a = "{{ x }}";</script><style>a{}</style><input type="hidden" value="{%">'
    assert template_leaks(leaked)
    assert not template_leaks(clean)
    assert template_leaks('<img alt="{{ topic.title }}">')


def admin_pages(superuser) -> Iterator[tuple[str, str]]:
    """Every registered model's list, add (where adding is allowed) and change pages."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield f"admin {opts.label} list", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if model_admin.has_add_permission(request):
            yield f"admin {opts.label} add", reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            yield (
                f"admin {opts.label} change",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
            )


def test_every_page_renders_without_template_syntax_in_its_text(site):
    seen, problems = 0, []
    for name, client, url, headers in site_pages(site):
        response = client.get(url, **headers)
        expected = 404 if "404" in name else 200
        if response.status_code != expected:
            problems.append(f"{name} ({url}): status {response.status_code}")
            continue
        seen += 1
        problems += [f"{name} ({url}): {leak}" for leak in template_leaks(response.content.decode())]
    assert seen >= 40
    assert not problems, "\n".join(problems)


def test_every_admin_page_renders_without_template_syntax_in_its_text(site):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    AttemptFactory(user=site["student"], finished_at=timezone.now())
    problems = []
    pages = list(admin_pages(superuser))
    for name, url in pages:
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{name} ({url}): status {response.status_code}")
            continue
        problems += [f"{name} ({url}): {leak}" for leak in template_leaks(response.content.decode())]
    assert len(pages) > 20
    assert not problems, "\n".join(problems)


def test_the_log_in_page_as_a_person_fills_it(client, site):
    """The password the factories give works on the page this test walks (a smoke check
    that the pages above were rendered for real users, not only forced sessions)."""
    response = client.post(reverse("login"), {"username": "student", "password": PASSWORD})
    assert response.status_code == 302
