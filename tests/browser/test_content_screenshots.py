"""The study pages in a real browser, on the shipped dossier (fixtures in tests/browser/conftest.py)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector, "el => { const r = el.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; }"
    )


@pytest.mark.parametrize("viewport", ["page", "mobile_page"])
def test_menu_link_and_back_link_move_the_reader(
    request, live_server, dossier, screenshot, page_errors, viewport
):
    """A menu link scrolls to its section; that section's "Back to the menu" returns to the menu."""
    page = request.getfixturevalue(viewport)
    width = page.viewport_size["width"]
    section = dossier.sections.order_by("order", "pk")[6]
    failed: list[str] = []
    page.on(
        "response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    page.goto(f"{live_server.url}{dossier.get_absolute_url()}")
    screenshot(page, f"dossier-{width}")

    page.get_by_role("navigation", name="In this dossier").get_by_role("link", name=section.context).click()

    page.wait_for_url(f"**#{section.anchor}")
    assert in_view(page, f"#{section.anchor}-title")

    page.locator(f"#{section.anchor}").get_by_role("link", name="Back to the menu").click()

    page.wait_for_url("**#dossier-menu")
    assert in_view(page, "#dossier-menu")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows sideways
    assert page_errors == []
    assert failed == []


def test_search_as_you_type_swaps_in_highlighted_results(live_server, dossier, mobile_page, page_errors):
    """Typing in the search box fetches the results fragment and keeps the address shareable."""
    mobile_page.goto(f"{live_server.url}/search/")

    mobile_page.get_by_label("Passages and facts containing").fill("nerchinsk")

    mobile_page.wait_for_selector("#search-results mark")
    assert "results for “nerchinsk”" in mobile_page.inner_text(".search-summary")
    assert mobile_page.url.endswith("/search/?q=nerchinsk")
    assert page_errors == []
