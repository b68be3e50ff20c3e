"""A matching question in Chromium: answered by keyboard alone with htmx (and audited by
axe-core), by plain forms with JavaScript off (a value used twice is refused), and on a
phone, where every select and the Submit button fit the first screen and the verdict and
"Next question" come first after. Screenshots: artifacts/screenshots/matching-*.png."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import Page, expect

from quiz.generation import matching
from quiz.models import Attempt, Item, Player, Quiz
from quiz.play.attempts import create_attempt, item_from
from tests.browser.conftest import answer, audit, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def longest_pairs(dossier) -> list[matching.Pair]:
    """The four events with the longest titles and years apart: the tallest card."""
    picked: list[matching.Pair] = []
    for pair in sorted(matching.candidate_pairs(dossier.pk), key=lambda p: (-len(p.left), p.fact_id)):
        if len(picked) < 4 and not any(matching.clash(pair.right, p.right) for p in picked):
            picked.append(pair)
    return picked


def matching_attempt(dossier, username: str) -> Attempt:
    """A two-question attempt of ``username``: the tallest matching question, then a choice."""
    question = matching.matching_question(matching.STEM_EVENTS, longest_pairs(dossier), random.Random(7))
    user = UserFactory(username=username)
    attempt = create_attempt(
        Quiz.default_for(dossier),
        [
            item_from(question, 1),
            Item(form=Item.Form.MULTIPLE_CHOICE, stem="Next?", options=["A", "B"], correct=0),
        ],
        player=Player(user_id=user.pk, session_key=""),
        seed=7,
    )
    return attempt


def open_question(page: Page, base: str, attempt: Attempt) -> None:
    log_in(page, base, attempt.user.username)
    page.goto(f"{base}/play/{attempt.pk}/q/1/")
    expect(page.get_by_role("heading", name=matching.STEM_EVENTS)).to_be_visible()


def right_values(attempt: Attempt) -> list[str]:
    """The value matched with each item, as its select shows it."""
    item = attempt.items.get(position=1)
    return [item.options[index] for index in item.correct]


def test_answered_by_keyboard_alone_with_htmx(live_server, dossier, page, page_errors, screenshot):
    """Tab reaches each select (its label names the item), arrow keys pick a value, Tab and
    Enter submit; the feedback is swapped in without a page load and takes the focus."""
    attempt = matching_attempt(dossier, "keyboard")
    open_question(page, live_server.url, attempt)
    screenshot(page, "matching-question-desktop")
    found: list[str] = []
    audit(page, "matching question", found)
    item = attempt.items.get(position=1)
    offered = item.options[len(item.options) // 2 :]
    page.evaluate("window.__marker = 1")
    for _ in range(40):  # Tab from the top of the page to the first select
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "match-0":
            break
    for index, value in enumerate(right_values(attempt)):
        focused = page.locator(f"#match-{index}")
        expect(focused).to_be_focused()
        expect(page.get_by_label(item.options[index], exact=True)).to_be_focused()
        for _ in range(offered.index(value) + 1):  # past "Choose…"
            page.keyboard.press("ArrowDown")
        expect(focused).to_have_value(str(item.correct[index]))
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit matches")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#feedback-title")).to_have_text("Correct!")
    assert page.evaluate("window.__marker") == 1, "the answer loaded a new page"
    assert page.evaluate("document.activeElement.id") == "feedback-title"
    pairs = page.get_by_role("list", name="The right matches").get_by_role("listitem")
    expect(pairs).to_have_count(4)
    expect(pairs.filter(has_text="matched right")).to_have_count(4)
    expect(page.get_by_text("Read the proof:")).to_be_visible()
    screenshot(page, "matching-feedback-desktop")
    audit(page, "matching feedback", found)
    assert found == [], "axe-core: serious or critical findings"
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert page_errors == []


def test_answered_without_javascript_and_a_value_used_twice_is_refused(
    live_server, dossier, no_js_page, page_errors, screenshot
):
    page = no_js_page
    attempt = matching_attempt(dossier, "nojs")
    open_question(page, live_server.url, attempt)
    card = page.locator("#play-card")
    values = right_values(attempt)
    for index in range(4):
        card.locator(f"#match-{index}").select_option(label=values[0])
    card.get_by_role("button", name="Submit matches").click()
    expect(page.get_by_role("alert")).to_have_text("Use each answer once: give each item a different match.")
    assert attempt.items.get(position=1).answered_at is None
    wrong = [values[1], values[0], values[2], values[3]]  # the first two swapped
    for index, value in enumerate(wrong):
        card.locator(f"#match-{index}").select_option(label=value)
    card.get_by_role("button", name="Submit matches").click()
    expect(page).to_have_url(re.compile(r"/q/1/#feedback$"))
    expect(page.locator("#feedback-title")).to_have_text("Not quite")
    expect(page.locator(".feedback-verdict")).to_contain_text("You matched 2 of 4 right.")
    expect(page.get_by_text(f"you chose {values[1]}")).to_be_visible()
    expect(page.get_by_text(f"you chose {values[0]}")).to_be_visible()
    screenshot(page, "matching-feedback-nojs")
    page.get_by_role("link", name="Next question").click()
    expect(page).to_have_url(re.compile(r"/q/2/$"))
    attempt.refresh_from_db()
    assert (attempt.answered_count, attempt.score) == (1, 0)
    # The refused answer's page comes with its 400, which the browser logs; nothing else.
    assert [e for e in page_errors if "status of 400" not in e] == []


def _inside_viewport(page: Page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert size is not None
    return (
        box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def test_on_a_phone_every_select_and_the_submit_button_fit_the_first_screen(
    live_server, dossier, mobile_page, page_errors, screenshot
):
    """At 375 × 667 with the four longest items: every select and Submit without scrolling;
    after answering, the verdict and "Next question"."""
    page = mobile_page
    attempt = matching_attempt(dossier, "phone")
    open_question(page, live_server.url, attempt)
    screenshot(page, "matching-question-375")
    card = page.locator("#play-card")
    assert page.evaluate("window.scrollY") == 0
    controls = card.locator('select, button[type="submit"]')
    assert controls.count() == 5
    for index in range(controls.count()):
        assert _inside_viewport(page, controls.nth(index)), f"control {index} below the fold"
    answer(page, keyboard=False)  # the helper every journey uses: each value once, as offered
    expect(page.locator("#feedback-title")).to_have_text(re.compile("^(Correct!|Not quite)$"))
    assert attempt.items.get(position=1).answered_at is not None
    page.evaluate("window.scrollTo(0, 0)")
    assert _inside_viewport(page, page.locator("#feedback-title"))
    assert _inside_viewport(page, page.get_by_role("link", name="Next question"))
    screenshot(page, "matching-feedback-375")
    assert page_errors == []
