"""Study in a real browser: play a quiz, come back three days later, review what is due in
other forms, and see what you know on the dossier page and in your history.

"Three days later" is honest time travel: the player's whole study history (each card's
due date, last review and first meeting, and every review log) is moved three days into
the past. FSRS only ever looks at the time between reviews and now, so for the scheduler
this is exactly three days passing; the server keeps its real clock.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from quiz.generation.bank import candidate_pools, load_facts, pool_key
from quiz.generation.questions import NotAskable
from quiz.models import Attempt
from quiz.study.models import MemoryCard, ReviewLog
from quiz.study.sessions import FORMS
from tests.browser.conftest import SCREENSHOTS, answer, start_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREE_DAYS = dt.timedelta(days=3)


def three_days_pass() -> None:
    for card in MemoryCard.objects.all():
        card.due -= THREE_DAYS
        card.last_review -= THREE_DAYS
        card.introduced_at -= THREE_DAYS
        card.save()
    for log in ReviewLog.objects.all():
        log.reviewed_at -= THREE_DAYS
        log.due -= THREE_DAYS
        log.save()


def other_form_possible(fact_id: int, last_form: str) -> bool:
    """Whether the fact can be asked in a form other than ``last_form`` (the generator decides)."""
    import random

    fact = load_facts([fact_id])[0]
    key = pool_key(fact)
    pool = candidate_pools([key], [t.pk for t in fact.tags.all()], random.Random(1)).get(key, [])
    for form, build in FORMS:
        if form == last_form:
            continue
        try:
            build(fact, pool, random.Random(1))
        except NotAskable:
            continue
        return True
    return False


def no_template_syntax(page: Page) -> None:
    text = page.locator("body").inner_text()
    assert "{%" not in text
    assert "{{" not in text


@pytest.mark.parametrize("device", ["page", "mobile_page"], ids=["desktop", "375px"])
def test_play_come_back_three_days_later_review_and_see_what_you_know(
    request, live_server, dossier, device, page_errors, screenshot
):
    page: Page = request.getfixturevalue(device)
    name = "desktop" if device == "page" else "375"
    base = live_server.url

    # Day 0: a new player plays a five-question quiz.
    start_quiz(page, base, dossier.get_absolute_url())
    for position in range(1, 6):
        answer(page, keyboard=False)
        link = "Next question" if position < 5 else "See your results"
        page.get_by_role("link", name=link).click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    expect(page.get_by_role("button", name="Practise my weakest")).to_be_visible()
    met = MemoryCard.objects.count()
    assert met > 0
    page.goto(base + "/review/")
    expect(page.locator("h2.study-due")).to_contain_text("0 facts due")

    # Three days later: everything met is due, and the navigation says so.
    three_days_pass()
    last_forms = dict(MemoryCard.objects.values_list("fact_id", "last_form"))
    page.goto(base + "/review/")
    expect(page.locator("h2.study-due")).to_contain_text(f"{met} fact")
    expect(page.locator(".badge-due")).to_have_count(3)  # the wide nav, the narrow one and its Menu button
    expect(page.locator(".badge-due").first).to_contain_text(str(met))
    expect(page.locator(".badge-due").filter(visible=True).first).to_contain_text(str(met))  # phone: on Menu
    no_template_syntax(page)
    screenshot(page, f"study-review-{name}")
    page.get_by_role("button", name="Start a review").click()
    expect(page.locator(".eyebrow").first).to_have_text("Spaced review")
    session = Attempt.objects.get(mode=Attempt.Mode.STUDY)
    screenshot(page, f"study-question-{name}")
    for position in range(1, session.length + 1):
        answer(page, keyboard=False)
        expect(page.locator("a", has_text="Read the proof").or_(page.locator(".feedback"))).not_to_have_count(
            0
        )
        link = "Next question" if position < session.length else "See your results"
        page.get_by_role("link", name=link).click()
    expect(page).to_have_url(re.compile(r"/results/$"))

    # Each due fact was asked in another form than last time, whenever it has another form.
    changed = 0
    for item in session.items.all():
        for fact_id in item.fact_ids:
            if fact_id in last_forms:
                if item.form == last_forms[fact_id]:
                    assert not other_form_possible(fact_id, item.form), f"fact {fact_id} asked as last time"
                else:
                    changed += 1
    assert changed > 0
    asked_due = sum(1 for item in session.items.all() if item.fact_ids[0] in last_forms)
    page.goto(base + "/review/")
    expect(page.locator("h2.study-due")).to_contain_text(f"{met - asked_due} fact")

    # The dossier page shows, per passage, what the player knows (loaded after the page).
    page.goto(base + dossier.get_absolute_url())
    summary = page.locator("#study-memory")
    expect(summary).to_contain_text("you know")
    expect(page.locator(".passage-memory", has_text="known").first).to_be_visible()
    no_template_syntax(page)
    screenshot(page, f"study-dossier-{name}").unlink()  # the whole dossier is too tall to look at
    page.screenshot(path=str(SCREENSHOTS / f"study-dossier-top-{name}.png"))
    page.locator(".passage-memory", has_text="known").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"study-dossier-passage-{name}.png"))

    # Signing up keeps the cards; history draws recall per passage and per theme.
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Username").fill(f"learner-{name}")
    page.get_by_label("Email").fill(f"learner-{name}@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-pass-phrase")
    page.get_by_label("Password confirmation").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".messages")).to_contain_text("Welcome")
    assert MemoryCard.objects.filter(user__username=f"learner-{name}").count() >= met
    page.goto(base + "/history/")
    chart = page.locator("svg.recall-chart").first
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="By passage")).to_be_visible()
    no_template_syntax(page)
    screenshot(page, f"study-history-{name}")
    page.get_by_role("button", name="Practise my weakest").click()
    expect(page).to_have_url(re.compile(r"/q/1/$"))
    expect(page.locator(".messages")).to_contain_text("Practising your weakest")
    assert page_errors == []


def test_without_javascript_the_dossier_links_to_what_you_know(live_server, dossier, no_js_page):
    page = no_js_page
    page.goto(live_server.url + dossier.get_absolute_url())
    page.get_by_role("link", name="What do I know of this dossier?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What you know of this dossier")
    expect(page.locator(".study-passages li").first).to_contain_text("never met")
