"""Playing a quiz in a real browser: mouse, keyboard, htmx swaps, history, and no JavaScript at all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quiz.models import Attempt
from tests.browser.conftest import answer, start_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["page", "mobile_page"], ids=["desktop", "375px"])
def test_play_five_questions_by_mouse_and_keyboard_without_page_loads(
    request, live_server, dossier, device, page_errors, screenshot
):
    """Answers arrive as htmx swaps (the window keeps a marker set before answering), focus
    lands on the feedback heading, the URL follows the question, and the results come last."""
    page: Page = request.getfixturevalue(device)
    name = "desktop" if device == "page" else "375"
    start_quiz(page, live_server.url, dossier.get_absolute_url(), screenshot, name)
    screenshot(page, f"play-question-{name}")
    # The keys work with a keyboard; a touch screen has none to press.
    if page.locator('#play-card button[name="choice"]').count():
        if device == "page":
            expect(page.get_by_text("Tip: press")).to_be_visible()
        else:
            expect(page.get_by_text("Tip: press")).to_be_hidden()
    page.evaluate("window.__marker = 1")
    for position in range(1, 6):
        expect(page).to_have_url(re.compile(rf"/q/{position}/$"))
        answer(page, keyboard=position % 2 == 0)
        assert page.evaluate("window.__marker") == 1, "the answer reloaded the page"
        assert page.evaluate("document.activeElement.id") == "feedback-title"
        expect(page.get_by_role("status").filter(has_text=re.compile("Correct|Not quite"))).to_have_count(1)
        if position == 1:
            screenshot(page, f"play-feedback-{name}")
        if position < 5:
            page.get_by_role("link", name="Next question").click()
            expect(page.locator("#play-card form")).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    page.get_by_role("link", name="See your results").click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    attempt = Attempt.objects.get()
    expect(page.locator(".score-big")).to_contain_text(f"{attempt.score} / 5")
    expect(page.locator(".answer-row")).to_have_count(5)
    screenshot(page, f"play-results-{name}")
    assert attempt.answered_count == 5
    assert attempt.finished_at is not None
    assert page_errors == []


def test_reload_and_back_show_the_same_question(live_server, dossier, page, page_errors):
    """Reloading shows the question on screen again; Back shows the previous one with its feedback."""
    start_quiz(page, live_server.url, dossier.get_absolute_url())
    answer(page, keyboard=False)
    page.get_by_role("link", name="Next question").click()
    expect(page).to_have_url(re.compile(r"/q/2/$"))
    stem = page.locator("#play-card h2").inner_text()
    page.reload()
    expect(page).to_have_url(re.compile(r"/q/2/$"))
    expect(page.locator("#play-card h2")).to_have_text(stem)
    expect(page.locator("#play-card form")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/q/1/$"))
    expect(page.locator("#feedback-title")).to_be_visible()
    assert page_errors == []


def test_a_quiz_works_without_javascript(live_server, dossier, no_js_page, page_errors, screenshot):
    """With JavaScript off, forms post and links load whole pages (post/redirect/get) to the end."""
    page = no_js_page
    start_quiz(page, live_server.url, dossier.get_absolute_url())
    for position in range(1, 6):
        if page.locator('button[name="choice"]').count():
            # Keys do nothing without JavaScript, so no tip says they do.
            expect(page.get_by_text("Tip: press")).to_be_hidden()
        answer(page, keyboard=False)
        expect(page).to_have_url(re.compile(rf"/q/{position}/#feedback$"))
        if position == 1:
            screenshot(page, "play-feedback-nojs")
        if position < 5:
            page.get_by_role("link", name="Next question").click()
    page.get_by_role("link", name="See your results").click()
    expect(page.locator(".answer-row")).to_have_count(5)
    # Copying needs JavaScript: the button is not offered, the link stays selectable.
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.get_by_label("Challenge link")).to_be_visible()
    attempt = Attempt.objects.get()
    assert attempt.answered_count == 5
    assert attempt.finished_at is not None
    screenshot(page, "play-results-nojs")
    assert page_errors == []


def test_a_friend_takes_the_challenge(live_server, dossier, browser, page, page_errors, screenshot):
    """The results page's link lets a friend (another browser) play the same questions, then
    shows "you vs them"."""
    start_quiz(page, live_server.url, dossier.get_absolute_url())
    for position in range(1, 6):
        answer(page, keyboard=False)
        link = "Next question" if position < 5 else "See your results"
        page.get_by_role("link", name=link).click()
    link = page.get_by_label("Challenge link").input_value()
    stems = [page.locator(".answer-stem").nth(i).inner_text().split(". ", 1)[1] for i in range(5)]
    friend = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = friend.new_page()
        other.goto(link)
        other.get_by_role("button", name="Accept the challenge").click()
        for position in range(1, 6):
            expect(other.locator("#play-card form.answer-form")).to_be_visible()
            expect(other.locator("#play-card h2")).to_have_text(stems[position - 1])
            answer(other, keyboard=True)
            link_name = "Next question" if position < 5 else "See your results"
            other.get_by_role("link", name=link_name).click()
        expect(other.locator(".versus")).to_be_visible()
        expect(other.locator(".versus-verdict")).to_have_text(re.compile("You win!|wins this one|A draw"))
        screenshot(other, "play-challenge-results-desktop")
    finally:
        friend.close()
    assert page_errors == []


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


def test_on_a_phone_the_question_and_its_answer_fit_the_first_screen(live_server, dossier, mobile_page):
    """At 375 × 667, without scrolling: the header is one line, every option of each
    question (choice buttons or ordering selects) is on screen, and after answering the
    verdict and "Next question" are on screen too."""
    page = mobile_page
    start_quiz(page, live_server.url, dossier.get_absolute_url())
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] < 70, "the header wraps to more than one line"
    for position in range(1, 6):
        card = page.locator("#play-card")
        expect(card.locator("form.answer-form")).to_be_visible()
        assert page.evaluate("window.scrollY") == 0
        controls = card.locator('button[name="choice"], select, button[type="submit"]')
        for index in range(controls.count()):
            assert _inside_viewport(page, controls.nth(index)), (
                f"question {position}: control {index} below the fold"
            )
        answer(page, keyboard=False)
        page.evaluate("window.scrollTo(0, 0)")
        assert _inside_viewport(page, page.locator("#feedback-title"))
        link = "Next question" if position < 5 else "See your results"
        next_link = page.get_by_role("link", name=link)
        assert _inside_viewport(page, next_link), f"question {position}: {link} below the fold"
        next_link.click()


def test_on_a_phone_the_dossier_menu_is_one_tap_away_from_anywhere(live_server, dossier, mobile_page):
    """Deep in a long dossier, the "In this dossier" link is on screen and leads to the menu;
    the header's Menu opens the site's links without JavaScript being needed."""
    page = mobile_page
    page.goto(live_server.url + dossier.get_absolute_url())
    page.mouse.wheel(0, 8000)
    page.wait_for_timeout(200)
    jump = page.get_by_role("link", name="In this dossier")
    assert _inside_viewport(page, jump)
    jump.click()
    expect(page).to_have_url(re.compile("#dossier-menu$"))
    assert _inside_viewport(page, page.get_by_role("heading", name="In this dossier"))
    page.get_by_text("Menu", exact=True).click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboards")
    ).to_be_visible()
