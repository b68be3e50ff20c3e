"""A whole live game in Chromium: a host and three phones in separate browser contexts,
against uvicorn (HTTP and WebSockets, one process, SQLite, the in-memory channel layer),
as ``make run`` serves it. One phone answers late, one reloads mid-game."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bench.live import Uvicorn, live_env, prepare, right_choice
from bench.server import fetch, sqlite_url
from tests.browser.conftest import audit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, dict, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = sqlite_url(Path(tmp) / "live.sqlite3")
        env = live_env(url)
        setup = prepare(env, questions=2)
        with Uvicorn(env, Path(tmp) / "uvicorn.log") as server:
            yield server.url, setup, url


def test_a_whole_live_game_with_a_late_answer_and_a_reload(browser: Browser, served, screenshot):
    base, setup, database_url = served
    host_context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
    host_context.add_cookies([{"name": "sessionid", "value": setup["session"], "url": base}])
    host = host_context.new_page()
    errors: list[str] = []
    host.on("pageerror", lambda exc: errors.append(str(exc)))

    found: list[str] = []  # axe-core's serious and critical findings, on every screen

    def check(page, name: str) -> None:
        """axe-core on the screen as it is, and no template syntax in its visible text."""
        audit(page, name, found)
        text = page.locator("body").inner_text()
        assert "{%" not in text, name
        assert "{{" not in text, name

    host.goto("/live/new/")
    check(host, "live-new")
    host.get_by_label("Play on").select_option("quiz:live-bench-quiz")
    host.get_by_label("5", exact=True).check()
    host.get_by_label("Accuracy only", exact=False).check()
    host.get_by_label("Seconds to answer each question").select_option("10")
    host.get_by_role("button", name="Open the lobby").click()
    pin = host.locator(".live-pin").inner_text()
    assert re.fullmatch(r"\d{6}", pin)
    expect(host.locator(".live-qr")).to_be_visible()
    assert host.locator(".live-qr").evaluate("img => img.complete && img.naturalWidth > 0")

    phones = []
    for nickname in ("Ada", "Bob", "Cy"):
        context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=base)
        phone = context.new_page()
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        phone.goto(f"/join/?pin={pin}")
        if nickname == "Ada":
            check(phone, "live-join")
        phone.get_by_label("Nickname").fill(nickname)
        phone.get_by_role("button", name="Join").click()
        expect(phone.get_by_role("heading", name="You're in!")).to_be_visible()
        expect(host.locator("#lobby")).to_contain_text(nickname)
        phones.append(phone)
    ada, bob, cy = phones
    screenshot(host, "live-host-lobby-1280")
    screenshot(ada, "live-phone-lobby-375")
    check(host, "live-host-lobby")
    check(ada, "live-phone-lobby")

    host.get_by_role("button", name="Start the game").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name="Bench question 1?")).to_be_visible()
    expect(host.get_by_role("heading", name="Bench question 1?")).to_be_visible()
    assert "right answer" not in ada.content()
    screenshot(ada, "live-phone-question-375")
    check(ada, "live-phone-question")
    check(host, "live-host-question")
    ada.keyboard.press(str(right_choice(1) + 1))  # keys 1-4 answer
    expect(ada.get_by_text("locked in")).to_be_visible()
    bob.get_by_role("button", name=re.compile("Option 2")).click()
    expect(bob.get_by_text("Answer 2 locked in")).to_be_visible()
    expect(host.locator("#answered")).to_have_text("2")
    # Cy is late: the window closes on the server after 10 s, and the results come.
    expect(host.get_by_text("right answer")).to_be_visible(timeout=15_000)
    screenshot(host, "live-host-results-1280")
    check(host, "live-host-results")
    expect(ada.get_by_role("heading", name=re.compile("Right! \\+1000"))).to_be_visible()
    expect(bob.get_by_role("heading", name="Wrong")).to_be_visible()
    expect(cy.get_by_role("heading", name="No answer")).to_be_visible()
    screenshot(ada, "live-phone-result-375")
    check(ada, "live-phone-result")
    # Cy's late answer, posted as the no-JavaScript form would, is refused.
    cy.request.post(
        cy.url.replace(base, "") + "answer/",
        form={"choice": "0", "position": "1", "csrfmiddlewaretoken": _csrf(cy)},
        headers={"Referer": cy.url},
    )
    assert _answers(database_url) == 2

    host.get_by_role("button", name="Next question").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name="Bench question 2?")).to_be_visible()
    bob.reload()  # back in the game where it is
    expect(bob.get_by_role("heading", name="Bench question 2?")).to_be_visible()
    for phone in phones:
        phone.get_by_role("button", name=re.compile(f"Option {right_choice(2) + 1}")).click()
    # Everyone answered: the question closes at once.
    expect(host.get_by_text("right answer")).to_be_visible(timeout=5_000)
    host.reload()  # the host reloading does not end the game
    expect(host.get_by_role("button", name="Show the podium")).to_be_visible()
    host.get_by_role("button", name="Show the podium").click()
    expect(host.get_by_role("heading", name="Podium")).to_be_visible()
    expect(host.locator(".live-podium-1")).to_contain_text("Ada")
    screenshot(host, "live-host-podium-1280")
    expect(ada.get_by_text("You are 1 of 3 with 2000 points (2 of 2 right).")).to_be_visible()
    expect(bob.get_by_text("You are 2 of 3 with 1000 points (1 of 2 right).")).to_be_visible()
    screenshot(bob, "live-phone-end-375")
    check(host, "live-host-podium")
    check(bob, "live-phone-end")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
    assert _answers(database_url) == 5
    assert errors == []


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def _answers(database_url: str) -> int:
    return int(fetch(database_url, "SELECT COUNT(*) FROM quiz_liveanswer")[0][0])
