"""The API docs pages render in Chromium under the site's CSP, and a teacher gets an API
token from their profile and uses it."""

from __future__ import annotations

import httpx
import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from quiz.models import TEACHERS_GROUP, Question
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["page", "mobile_page"], ids=["1280px", "375px"])
def test_the_rest_api_docs_render_and_try_a_call_without_csp_errors(
    request, live_server, dossier, page_errors, screenshot, device
):
    page: Page = request.getfixturevalue(device)
    csp_reports: list[str] = []
    page.on("console", lambda m: csp_reports.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Dossiers API")
    operation = page.locator("#operations-dossiers-dossier_list")
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(operation.locator(".live-responses-table .microlight").first).to_contain_text("north-korea-russia")
    path = screenshot(page, f"api-docs-{request.node.callspec.id}")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path).replace(".png", "-top.png"))
    assert csp_reports == []
    assert page_errors == []


def test_the_opentdb_docs_render_without_csp_errors(page, live_server, dossier, page_errors):
    page.goto(live_server.url + "/opentdb/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Open Trivia DB-compatible API")
    expect(page.locator("#operations-default-opentdb_questions")).to_be_visible()
    assert page_errors == []


def test_a_teacher_creates_a_token_on_the_site_and_writes_a_question_with_it(
    page, live_server, dossier, page_errors, screenshot
):
    teacher = UserFactory(username="teacher")
    teacher.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    log_in(page, live_server.url, teacher.username)
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="API token").click()
    expect(page.get_by_text("You have no token.")).to_be_visible()
    page.get_by_role("button", name="Create a token").click()
    key = page.locator("code.api-key").inner_text()
    screenshot(page, "api-token-1280px")
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, "api-token-375px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the key wraps
    assert key.startswith("dsr_")
    response = httpx.post(
        live_server.url + "/api/v1/teacher/questions",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "dossier": "north-korea-russia",
            "stem": "Which river forms the border?",
            "explanation": "The lower Tumen.",
            "choices": [{"text": "Tumen", "correct": True}, {"text": "Yalu"}],
            "status": "published",
        },
    )
    assert response.status_code == 201, response.text
    assert Question.objects.get(pk=response.json()["id"]).author == teacher
    page.reload()
    expect(page.get_by_text(key)).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke my token").click()
    expect(page.get_by_text("You have no token.")).to_be_visible()
    refused = httpx.get(
        live_server.url + "/api/v1/teacher/questions", headers={"Authorization": f"Bearer {key}"}
    )
    assert refused.status_code == 401
    assert page_errors == []
