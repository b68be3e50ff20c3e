"""The dossier page in a real browser: the menu and the back links move the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from content.models import Citation
from tests.factories import (
    CitationFactory,
    FactFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    TimelineEventFactory,
    TopicFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def long_dossier():
    topic = TopicFactory(slug="nk-russia", title="North Korea–Russia relations", summary="A short border.")
    source = SourceFactory(topic=topic, key="wiki", title="Wikipedia page")
    Citation.objects.create(source=source, topic=topic)
    tag = TagFactory(slug="borders", name="Borders")
    body = "\n\n".join(["A paragraph long enough to take some room on the page. " * 6] * 3)
    for i in range(8):
        section = SectionFactory(topic=topic, slug=f"part-{i}", context=f"Part {i}", body=body)
        section.tags.add(tag)
        Citation.objects.create(source=source, section=section)
        TimelineEventFactory(topic=topic, slug=f"e-{i}", year=1900 + i, month=6, day=1 + i, section=section)
    fact = FactFactory(topic=topic, slug="length", subject="kilometres long is the border", answer="17")
    CitationFactory(source=source, fact=fact, value="17")
    CitationFactory(source=SourceFactory(topic=topic, key="maps"), fact=fact, value="19")
    fact.refresh_disputed()
    return topic


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector, "el => { const r = el.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; }"
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_menu_link_and_back_link_move_the_reader(live_server, long_dossier, browser, width):
    """A menu link scrolls to its section; that section's "Back to the menu" returns to the menu."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors: list[str] = []  # CSP refusals and script errors; failed loads are checked by status below
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    # The browser asks for /favicon.ico on its own; base.html does not name one.
    failed: list[str] = []
    page.on(
        "response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    page.goto(f"{live_server.url}{long_dossier.get_absolute_url()}")
    page.screenshot(path=SCREENSHOTS / f"dossier-{width}.png", full_page=True)

    page.get_by_role("navigation", name="In this dossier").get_by_role("link", name="Part 6").click()

    page.wait_for_url("**#section-part-6")
    assert in_view(page, "#section-part-6-title")
    assert not in_view(page, "#dossier-menu") or width >= 960  # the sticky menu stays in view on wide screens

    page.locator("#section-part-6").get_by_role("link", name="Back to the menu").click()

    page.wait_for_url("**#dossier-menu")
    assert in_view(page, "#dossier-menu")
    page.screenshot(path=SCREENSHOTS / f"dossier-menu-{width}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows sideways
    assert errors == []
    assert failed == []
