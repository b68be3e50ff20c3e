"""The teacher's loop in Chromium: build a quiz by hand (three written questions picked and
reordered), assign it to a class with a due date (a bad attempt limit refused), two students
play it (one late), and the gradebook and both exports show the scores."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from quiz.assignments.models import Assignment
from tests.browser.conftest import log_in
from tests.factories import ClassroomFactory, MembershipFactory, TopicFactory, UserFactory
from tests.quiz.assignments.conftest import make_teacher, written_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def play_assignment(page: Page, base: str, title: str, right: list[bool]) -> None:
    page.goto(base + "/")
    home = page.locator("section.assigned")
    expect(home).to_contain_text(title)
    home.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Start").click()
    for position, is_right in enumerate(right, start=1):
        card = page.locator("#play-card")
        expect(card.get_by_role("heading", level=2)).to_have_text(f"Question {position}?")
        card.locator('button[name="choice"]', has_text="Right" if is_right else "Wrong").first.click()
        expect(page.locator("#feedback-title")).to_be_visible()
        link = "Next question" if position < len(right) else "See your results"
        page.get_by_role("link", name=link).click()
    expect(page).to_have_url(re.compile(r"/results/$"))


def test_assign_play_on_time_and_late_and_grade(page: Page, live_server, screenshot, tmp_path):
    base = live_server.url
    teacher = make_teacher("mrs-grade")
    classroom = ClassroomFactory(teacher=teacher, name="Year 9 history")
    ontime, late = UserFactory(username="ontime"), UserFactory(username="latecomer")
    for student in (ontime, late):
        MembershipFactory(classroom=classroom, student=student)
    # Three written questions on a dossier; the rules quiz made here is not used.
    written_quiz(TopicFactory(published=True, title="Treaties"), 3, slug="unused")

    log_in(page, base, teacher.username)
    # Build the quiz by hand: a draft, its three questions picked, the first moved last.
    page.goto(base + reverse("my_quizzes"))
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Title").fill("Treaties of 1860")
    page.get_by_label("Dossier").select_option(label="Treaties")
    page.get_by_label("Mix").select_option("written")
    page.get_by_label("Number of questions").fill("3")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Pick its questions").click()
    for n in (3, 1, 2):
        page.locator("li.card", has_text=f"Question {n}?").get_by_role("button", name="Add").click()
    picked = page.locator("ol.assigned-list > li")
    expect(picked).to_have_count(3)
    for _ in range(2):
        picked.filter(has_text="Question 3?").get_by_role("button", name="Move down").click()
    expect(page.locator("ol.assigned-list > li strong")).to_have_text(
        ["Question 1?", "Question 2?", "Question 3?"]
    )
    screenshot(page, "quiz-build-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "quiz-build-375")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(base + reverse("class_gradebook", args=[classroom.pk]))
    page.get_by_role("link", name="Assign a quiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a quiz to Year 9 history")
    page.get_by_label("Quiz").select_option(label="Treaties of 1860")
    due = timezone.now().astimezone(ZoneInfo("Europe/London")) + timedelta(days=2)
    page.get_by_label("Due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Attempts allowed").fill("0")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Allow at least 1 attempt.")).to_be_visible()  # refused at the field
    page.get_by_label("Attempts allowed").fill("1")
    page.get_by_label("Accept late work").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook: Year 9 history")
    expect(page.locator("thead")).to_contain_text("Treaties of 1860")
    assignment = Assignment.objects.get()
    assert assignment.due_at.astimezone(ZoneInfo("Europe/London")).strftime("%d %H:%M") == due.strftime(
        "%d %H:%M"
    )

    log_in(page, base, ontime.username)
    play_assignment(page, base, "Treaties of 1860", [True, True, True])

    # The due date passes; late work is accepted.
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=now - timedelta(days=3),
        due_at=now,  # after the first student finished
    )
    log_in(page, base, late.username)
    page.goto(base + reverse("assigned_list"))
    expect(page.locator(".assigned-list")).to_contain_text("Late")
    play_assignment(page, base, "Treaties of 1860", [False, True, True])
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + reverse("assigned_list"))
    screenshot(page, "assigned-375")
    page.set_viewport_size({"width": 1280, "height": 800})

    log_in(page, base, teacher.username)
    page.goto(base + reverse("class_gradebook", args=[classroom.pk]))
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="ontime")).to_contain_text("3/3")
    expect(rows.filter(has_text="latecomer")).to_contain_text("2/3")
    expect(rows.filter(has_text="latecomer")).to_contain_text("late")
    screenshot(page, "gradebook-1280")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    text = csv_download.value.path().read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["latecomer", "67% late", "current"],
        ["ontime", "100%", "current"],
    ]
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download XLSX").click()
    sheet = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["latecomer", "67% late", "current"],
        ["ontime", "100%", "current"],
    ]
    rows.filter(has_text="latecomer").get_by_role("link", name="2/3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("latecomer: Treaties of 1860")
    expect(page.locator("tbody tr").first).to_contain_text("Wrong 1")
    expect(page.locator("tbody tr").first).to_contain_text("Right 1")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + reverse("class_gradebook", args=[classroom.pk]))
    screenshot(page, "gradebook-375")
