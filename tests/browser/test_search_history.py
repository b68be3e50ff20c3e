"""Search in a real browser: results as you type, then Back and Forward give whole pages.

htmx keeps no copies of pages (``historyCacheSize`` is 0), so Back and Forward ask the
server again with ``HX-History-Restore-Request``: the answer must be the whole page, not
the results fragment that typing gets (issue 10, bug 14).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _restored(page: Page, move) -> None:
    """Go Back or Forward and wait for htmx's history-restore request to be answered and swapped."""
    with page.expect_response(lambda r: r.request.headers.get("hx-history-restore-request") == "true"):
        move()
    page.wait_for_load_state("networkidle")


def serious_violations(page: Page) -> list[str]:
    """axe-core on the live page: its serious and critical violations (as the site's audit fails on)."""
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in {"serious", "critical"}]


def assert_whole(page: Page) -> None:
    """The site's layout around the search, each part once: nothing bare, nothing nested."""
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("footer.site-footer")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the dossiers")
    expect(page.locator("#search-q")).to_have_count(1)
    expect(page.locator("#search-results")).to_have_count(1)


@pytest.mark.parametrize("viewport", ["page", "mobile_page"])
def test_results_appear_as_you_type_and_back_and_forward_show_whole_pages(
    request, live_server, dossier, page_errors, screenshot, viewport
):
    page = request.getfixturevalue(viewport)
    width = page.viewport_size["width"]
    page.goto(f"{live_server.url}/search/")

    page.get_by_label("Passages and facts containing").fill("gorbachov soviet")
    expect(page.locator(".search-summary")).to_contain_text("for “gorbachov soviet”")

    assert page.url == f"{live_server.url}/search/?q=gorbachov%20soviet"
    expect(page.locator(".search-respelled")).to_have_text(
        "No dossier has the word “gorbachov”: searched for gorbachev instead."
    )
    expect(page.locator("#search-results mark").first).to_be_visible()
    screenshot(page, f"search-results-{width}")
    assert serious_violations(page) == []  # the results as htmx swapped them in

    _restored(page, page.go_back)
    assert page.url == f"{live_server.url}/search/"
    assert_whole(page)
    expect(page.locator("#search-results")).to_contain_text("Type a word or a name")
    expect(page.locator("#search-q")).to_have_value("")

    _restored(page, page.go_forward)
    assert page.url == f"{live_server.url}/search/?q=gorbachov%20soviet"
    assert_whole(page)
    expect(page.locator("#search-q")).to_have_value("gorbachov soviet")
    expect(page.locator(".search-summary")).to_contain_text("for “gorbachov soviet”")
    assert serious_violations(page) == []  # the page as a history restore rebuilt it

    _restored(page, page.go_back)
    assert_whole(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows sideways
    assert page_errors == []


@pytest.fixture
def screenshot():
    """A full-page screenshot in artifacts/screenshots/, the caret left alone: hiding it, Playwright
    leaves a ``style`` attribute on the search box, which the CSP reports when htmx copies the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")

    return save


def test_search_works_without_javascript(live_server, dossier, no_js_page):
    """The form submits as a plain GET; the page links go to the next page with the words."""
    no_js_page.goto(f"{live_server.url}/search/")
    no_js_page.get_by_label("Passages and facts containing").fill("Russia")
    no_js_page.get_by_role("button", name="Search").click()

    no_js_page.wait_for_url("**/search/?q=Russia")
    expect(no_js_page.locator(".search-summary")).to_contain_text("best first, page 1 of")
    no_js_page.get_by_role("navigation", name="Result pages").get_by_role("link", name="Next").click()

    no_js_page.wait_for_url("**/search/?q=russia&page=2")
    expect(no_js_page.locator(".search-summary")).to_contain_text(", page 2 of")
    assert_whole(no_js_page)
