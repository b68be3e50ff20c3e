"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against live_server.

Playwright's sync API runs an event loop in the test's thread, so Django would refuse
ORM calls made there (fixtures, assertions) as "async unsafe"; the test thread never
runs async code of its own, so the check is switched off while the browser runs. The
browser lives for one test module, so neither the loop nor the override outlives it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Browser, Page, expect, sync_playwright

from content.models import Topic
from quiz.models import TEACHERS_GROUP
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
#: A question page of an attempt, with or without its feedback anchor.
QUESTION_URL = re.compile(r"/play/[0-9a-f-]{36}/q/(\d+)/(#feedback)?$")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DOSSIER = ROOT / "fixtures" / "north-korea-russia.yaml"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module; Django's async check is off exactly while it runs."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _watch(page: Page, errors: list[str]) -> Page:
    """Collect script errors and CSP refusals (the browser's own favicon request aside)."""
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, page_errors: list[str]) -> Iterator[Page]:
    """A desktop-sized page with JavaScript."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield _watch(context.new_page(), page_errors)
    context.close()


@pytest.fixture
def mobile_page(browser: Browser, page_errors: list[str]) -> Iterator[Page]:
    """A phone with JavaScript: 375 × 667 (an iPhone SE's screen), a touch screen, no hover."""
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield _watch(context.new_page(), page_errors)
    context.close()


@pytest.fixture
def no_js_page(browser: Browser, page_errors: list[str]) -> Iterator[Page]:
    """A page with JavaScript disabled: everything must work with plain forms and links."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    yield _watch(context.new_page(), page_errors)
    context.close()


@pytest.fixture
def dossier(transactional_db) -> Topic:
    """The shipped North Korea–Russia dossier, imported as `make run` does."""
    call_command("import_dossier", str(DOSSIER), verbosity=0)
    return Topic.objects.get(slug="north-korea-russia")


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


# Helpers the journeys share ---------------------------------------------------------


def start_quiz(page: Page, base_url: str, topic_url: str, shot=None, name: str = "") -> None:
    """From the dossier page to question 1 of a 5-question quiz."""
    page.goto(base_url + topic_url)
    page.get_by_role("link", name="Play trivia on this dossier").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trivia: North Korea")
    if shot:
        shot(page, f"play-start-{name}")
    page.get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(QUESTION_URL)


def match_values(card) -> list[str]:
    """The values a matching question's selects offer (the same in each), its prompt left out."""
    options = card.locator('select[name="match_0"] option').all()
    return [value for option in options if (value := option.get_attribute("value") or "")]


def answer(page: Page, *, keyboard: bool, option: str | None = None) -> None:
    """Answer the question on screen, whatever its form: option 1 by mouse or key (multiple
    choice, true/false, which came first, which did not happen before), an order by its
    selects, a matching by its selects (each value once, in the order offered), or a typed
    answer (Enter from the keyboard, the button by mouse). ``option`` names the option to
    click instead of the first one."""
    card = page.locator("#play-card")
    expect(card.locator("form.answer-form")).to_be_visible()  # the swap has landed
    selects = card.locator("select")
    matches = card.locator('select[name^="match_"]')
    typed = card.get_by_label("Your answer")
    if option is not None:
        card.get_by_role("button", name=option, exact=True).click()
    elif typed.count():
        typed.fill("Tumen")
        if keyboard:
            typed.press("Enter")
        else:
            card.get_by_role("button", name="Answer", exact=True).click()
    elif matches.count():
        for index, value in enumerate(match_values(card)):
            matches.nth(index).select_option(value)
        card.get_by_role("button", name="Submit matches").click()
    elif selects.count():
        for index in range(selects.count()):
            selects.nth(index).select_option(str(index + 1))
        card.get_by_role("button", name="Submit order").click()
    elif keyboard:
        page.keyboard.press("1")
    else:
        card.locator('button[name="choice"]').first.click()
    expect(page.locator("#feedback-title")).to_be_visible()


# axe-core: only violations of impact serious or critical fail (see test_accessibility.py).
FAILING_IMPACTS = {"serious", "critical"}
AXE = Axe()


def audit(page: Page, name: str, found: list[str]) -> None:
    """Run axe on the page as it is now; describe each serious or critical violation in
    `found`."""
    for violation in AXE.run(page).response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        line = (
            f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}"
            f" [{len(violation['nodes'])} nodes, e.g. {targets}]"
        )
        print(line)
        if violation["impact"] in FAILING_IMPACTS:
            found.append(line)


@pytest.fixture
def teachers_group(transactional_db):
    """The Teachers group exactly as migrations 0002 and 0014 make it, with its permissions
    (and the Dossier editors group 0014 makes beside it).

    Live-server tests flush the database between tests, which empties the groups the
    migrations made; their own functions put them back (they only need the connection's
    alias from their schema editor), so a teacher has the permissions a real teacher has.
    """
    schema_editor = SimpleNamespace(connection=connection)
    importlib.import_module("quiz.migrations.0002_teachers_group").create_teachers_group(
        django_apps, schema_editor
    )
    importlib.import_module("quiz.migrations.0014_teacher_loop").dossier_editors(django_apps, schema_editor)
    return Group.objects.get(name=TEACHERS_GROUP)


def log_in(page: Page, base_url: str, username: str) -> None:
    """Log in through the form (with UserFactory's password), from a clean browser."""
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Signed in: the header holds "My history" (in the Menu disclosure on a phone).
    expect(page.locator('a[href="/history/"]').first).to_be_attached()
