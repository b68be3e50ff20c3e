"""Two journeys across the whole site, in Chromium against live_server.

1. A new player signs up, studies the dossier, plays five questions (by mouse, by keys
   1–4, and by the selects of an order question), and finds the attempt in their history
   and themselves on the leaderboard.
2. A teacher writes a question in the admin (inline choices), previews it as a student,
   sets up a quiz of teacher-written questions, and a student (on a phone) is asked that
   question and told "Correct!" for the right choice.

Each page passed through is saved as artifacts/screenshots/journey-*.png.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from quiz.management.commands.create_demo_accounts import TEACHER
from quiz.models import TEACHERS_GROUP, Attempt, Item, Question, Quiz
from tests.browser.conftest import match_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION_URL = re.compile(r"/play/[0-9a-f-]{36}/q/(\d+)/$")
PLAYER = "newplayer"
PLAYER_PASSWORD = "plays-dossiers-2026"
STEM = "Which river forms the short land border between North Korea and Russia?"
CHOICES = ["The Yalu", "The Amur", "The Tumen", "The Ussuri"]
RIGHT = "The Tumen"
EXPLANATION = "The Tumen runs along the border for about 17 kilometres before reaching the sea."


@pytest.fixture
def teacher(teachers_group, monkeypatch):
    """The demo teacher, made by `create_demo_accounts` (staff, in the Teachers group, with
    the group's permissions as migrated: see the ``teachers_group`` fixture)."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("create_demo_accounts", stdout=io.StringIO())
    user = get_user_model().objects.get(username=TEACHER[0])
    assert user.is_staff
    assert not user.is_superuser
    assert user.groups.filter(name=TEACHERS_GROUP).exists()
    return user


def nav_link(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def answer_on_screen(page: Page, position: int) -> tuple[str, int | list[int]]:
    """Answer the question on screen; say how, and what the server should record.

    Odd positions by mouse, even ones by the keys 1–4 (cycling over the options); an
    order question by its selects, placing the options in the reverse of their order
    on screen, so the recorded order is the option indexes from last to first; a matching
    question by its selects, the first item given the last value offered and so on.
    """
    card = page.locator("#play-card")
    expect(card.locator("form.answer-form")).to_be_visible()  # the swap has landed
    matches = card.locator('select[name^="match_"]').all()
    if matches:  # each item the value offered last but its own place: a matching, as stored
        values = match_values(card)[::-1]
        for select, value in zip(matches, values, strict=True):
            select.select_option(value)
        card.get_by_role("button", name="Submit matches").click()
        return "match", [int(value) for value in values]
    places = card.locator("select").all()
    if places:
        for select, place in zip(places, range(len(places), 0, -1), strict=True):
            select.select_option(str(place))
        card.get_by_role("button", name="Submit order").click()
        return "order", list(range(len(places) - 1, -1, -1))
    typed = card.get_by_label("Your answer")
    if typed.count():  # typed recall: Enter from the keyboard
        typed.fill("Tumen")
        typed.press("Enter")
        return "typed", "Tumen"
    options = card.locator('button[name="choice"]')
    choice = (position - 1) % options.count()
    if position % 2:
        options.nth(choice).click()
        return "mouse", choice
    page.keyboard.press(str(choice + 1))
    return "key", choice


def test_a_new_player_signs_up_plays_and_finds_the_attempt_in_history_and_on_the_board(
    live_server, dossier, page, page_errors, screenshot
):
    """Sign up in the form, open the dossier with "Study", play 5 questions whose feedback
    arrives without a page load, then "My history" lists the attempt with the score the
    results page showed, and the leaderboard lists the player."""
    page.goto(live_server.url + "/")
    screenshot(page, "journey-home")
    nav_link(page, "Sign up").click()
    page.get_by_label("Username").fill(PLAYER)
    page.get_by_label("Email").fill(f"{PLAYER}@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PLAYER_PASSWORD)
    page.get_by_label("Password confirmation").fill(PLAYER_PASSWORD)
    screenshot(page, "journey-signup")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".messages")).to_contain_text(f"Welcome, {PLAYER}.")
    expect(nav_link(page, "My history")).to_be_visible()
    assert get_user_model().objects.filter(username=PLAYER).exists()

    page.get_by_role("link", name=f"Study {dossier.title}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier.title)
    screenshot(page, "journey-dossier")
    page.get_by_role("link", name="Play trivia on this dossier").first.click()
    page.get_by_label("5", exact=True).check()
    screenshot(page, "journey-start")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(QUESTION_URL)
    screenshot(page, "journey-question")

    ways = []
    for position in range(1, 6):
        expect(page).to_have_url(re.compile(rf"/q/{position}/$"))
        page.evaluate(f"window.__marker = {position}")
        ways.append(answer_on_screen(page, position))
        expect(page.locator("#feedback-title")).to_have_text(re.compile(r"^(Correct!|Not quite)$"))
        assert page.evaluate("window.__marker") == position, f"answer {position} loaded a new page"
        if position == 1:
            screenshot(page, "journey-feedback")
        if position < 5:
            page.get_by_role("link", name="Next question").click()
    page.get_by_role("link", name="See your results").click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    title = page.get_by_role("heading", level=1).inner_text()
    shown = re.fullmatch(r"(\d+) / 5", page.locator(".score-big").inner_text().strip())
    assert shown, page.locator(".score-big").inner_text()
    score = int(shown.group(1))
    screenshot(page, "journey-results")

    attempt = Attempt.objects.select_related("quiz", "user").get()
    assert (attempt.user.username, attempt.quiz.title, attempt.score) == (PLAYER, title, score)
    assert attempt.answered_count == 5
    assert attempt.finished_at is not None
    chosen = [item.chosen for item in Item.objects.filter(attempt=attempt).order_by("position")]
    assert chosen == [expected for _, expected in ways]  # each click, key or order counted as given
    assert {"mouse", "key"} <= {way for way, _ in ways}

    nav_link(page, "My history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My history")
    row = page.locator("table tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text(f"{score}/5")
    expect(row.get_by_role("link", name="Results")).to_have_attribute("href", f"/play/{attempt.pk}/results/")
    screenshot(page, "journey-history")

    nav_link(page, "Leaderboards").click()
    me = page.locator("table.leaderboard tbody tr").filter(has_text=f"{PLAYER} (you)")
    expect(me).to_have_count(1)
    expect(me.locator("td").nth(2)).to_have_text(str(score))
    screenshot(page, "journey-leaderboard")
    assert page_errors == []


def test_a_teacher_writes_a_question_in_the_admin_and_a_student_is_asked_it(
    live_server, dossier, teacher, page, mobile_page, page_errors, screenshot
):
    """The teacher logs in to /admin/, adds a published question with four inline choices
    (one correct), previews it (the student's part gives nothing away), and sets up a
    published quiz of one teacher-written question; a student playing that quiz on a
    phone is asked the teacher's stem and told "Correct!" for the right choice.

    The admin's pages link no icon, so Chromium asks for /favicon.ico (a 404 logged as a
    console error without its URL, which the shared filter cannot tell apart); that one
    request is answered here so the check for script errors stays strict."""
    page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill(TEACHER[0])
    page.get_by_label("Password").fill(TEACHER[1])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.get_by_role("link", name="Questions", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Users", exact=True)).to_have_count(0)  # not a teacher's business
    screenshot(page, "journey-admin-index")

    page.get_by_role("link", name="Questions", exact=True).click()
    page.get_by_role("link", name="Add question").click()
    page.locator("#id_topic").select_option(str(dossier.pk))
    page.locator("#id_stem").fill(STEM)
    page.locator("#id_explanation").fill(EXPLANATION)
    page.locator("#id_status").select_option("published")
    for index, text in enumerate(CHOICES):
        page.locator(f"#id_choices-{index}-text").fill(text)
    page.locator(f"#id_choices-{CHOICES.index(RIGHT)}-is_correct").check()
    screenshot(page, "journey-admin-question-add")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    question = Question.objects.get(stem=STEM)
    assert (question.topic_id, question.status, question.author_id) == (
        dossier.pk,
        Question.Status.PUBLISHED,
        teacher.pk,
    )
    assert list(question.choices.values_list("text", "is_correct")) == [(t, t == RIGHT) for t in CHOICES]

    page.get_by_role("link", name="Preview as a student").click()
    student_part = page.locator('[data-part="student"]')
    expect(student_part.locator(".preview-stem")).to_have_text(STEM)
    buttons = student_part.get_by_role("button")
    expect(buttons).to_have_text(CHOICES)
    markup = [buttons.nth(i).evaluate("b => b.outerHTML.replace(b.textContent, '')") for i in range(4)]
    assert len(set(markup)) == 1, f"the choices differ beyond their text: {markup}"
    student_html = student_part.inner_html().lower()
    for tell in ("correct", "right", EXPLANATION.lower()):
        assert tell not in student_html, f"the student's part gives away the answer: {tell!r}"
    expect(page.locator('[data-part="answer-key"]')).to_contain_text(RIGHT)
    screenshot(page, "journey-admin-preview")

    page.goto(live_server.url + "/admin/quiz/quiz/")
    page.get_by_role("link", name="Add quiz").click()
    page.locator("#id_title").fill("The teacher's river quiz")
    page.locator("#id_topic").select_option(str(dossier.pk))
    page.locator("#id_question_count").fill("1")
    page.locator("#id_allow_length_choice").uncheck()
    page.locator("#id_mix").select_option(Quiz.Mix.WRITTEN)
    page.locator("#id_published").check()
    screenshot(page, "journey-admin-quiz-add")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    quiz = Quiz.objects.get(title="The teacher's river quiz")
    assert quiz.slug == "the-teachers-river-quiz"  # filled in from the title as the teacher typed
    assert (quiz.topic_id, quiz.mix, quiz.question_count, quiz.published) == (dossier.pk, "written", 1, True)

    student = mobile_page
    student.goto(f"{live_server.url}/quizzes/{quiz.slug}/")
    expect(student.get_by_role("heading", level=1)).to_have_text(quiz.title)
    screenshot(student, "journey-student-quiz-start")
    student.get_by_role("button", name="Start").click()
    expect(student).to_have_url(QUESTION_URL)
    card = student.locator("#play-card")
    expect(card.locator("h2")).to_have_text(STEM)
    expect(card.locator('button[name="choice"]')).to_have_count(4)
    screenshot(student, "journey-student-question")
    student.evaluate("window.__marker = 1")
    card.locator('button[name="choice"]').filter(has_text=RIGHT).click()
    expect(student.locator("#feedback-title")).to_have_text("Correct!")
    expect(student.locator("#feedback")).to_contain_text(EXPLANATION)
    assert student.evaluate("window.__marker") == 1
    screenshot(student, "journey-student-feedback")
    item = Item.objects.get(attempt__quiz=quiz)
    assert (item.question_id, item.is_correct) == (question.pk, True)
    student.get_by_role("link", name="See your results").click()
    expect(student.locator(".score-big")).to_have_text(re.compile(r"^\s*1 / 1\s*$"))
    assert page_errors == []
