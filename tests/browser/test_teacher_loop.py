"""The teacher's loop (issue 12) in Chromium, end to end, through the pages people use.

A teacher builds a quiz by hand (their own written question, whose key is wrong, and
generated questions of every form) and assigns it to a class with a due date. Student A
plays on time and reports the wrong key from its feedback card; the due date passes;
student B plays late (late work accepted). The teacher opens the report queue, fixes the
key in the admin and regrades. The gradebook, its CSV and its XLSX then show both
regraded scores (and B's late mark), and A's results page says what changed.
"""

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
from quiz.models import Attempt, Item, Question
from quiz.reports.models import Report
from tests.browser.conftest import QUESTION_URL, answer, log_in
from tests.factories import ChoiceFactory, ClassroomFactory, MembershipFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEM = "Which treaty fixed the border between Russia and Qing China in 1689?"
RIGHT, WRONG_KEY = "Treaty of Nerchinsk", "Treaty of Aigun"
NOTE = "Nerchinsk (1689) is right; Aigun is from 1858."
TITLE = "Borders and treaties"
#: The forms the issue names (the build page names each generated question's form).
ASKED = [
    Item.Form.MULTIPLE_CHOICE,
    Item.Form.TRUE_FALSE,
    Item.Form.FIRST,
    Item.Form.ORDER,
    Item.Form.NOT_BEFORE,
    Item.Form.RECALL,
]
FORMS = [form.label for form in ASKED]
#: How many pages of generated questions the teacher looks through, at most, to find
#: every form (a page of eight holds about four forms; timeline forms are one in five).
MAX_PAGES = 40


def build_quiz_by_hand(page: Page, base: str) -> None:
    """My quizzes → New quiz → pick the written question, then one generated question of
    each form, paging through "Show other generated questions"."""
    page.goto(base + reverse("my_quizzes"))
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Dossier").select_option(label="North Korea–Russia relations")
    page.get_by_label("Number of questions").fill("7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{TITLE} is saved as a draft.")).to_be_visible()
    page.get_by_role("link", name="Pick its questions").click()
    page.locator("#written-heading + ul > li", has_text=STEM).get_by_role("button", name="Add").click()
    picked = page.locator("#picked-heading + ol > li")
    expect(picked).to_have_count(1)
    wanted = list(FORMS)
    for _ in range(MAX_PAGES):
        card = next(
            (
                c
                for c in page.locator("#generated-heading ~ ul > li").all()
                if c.locator("p.small").inner_text() in wanted
            ),
            None,
        )
        if card is not None:
            wanted.remove(card.locator("p.small").inner_text())
            card.get_by_role("button", name="Add").click()
            # The page comes back with the same candidates and one more pick.
            expect(picked).to_have_count(1 + len(FORMS) - len(wanted))
            if not wanted:
                break
        else:
            more = page.get_by_role("link", name="Show other generated questions")
            href = more.get_attribute("href")
            more.click()
            expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    assert not wanted, f"no generated question of these forms in {MAX_PAGES} pages: {wanted}"
    expect(picked.first).to_contain_text(STEM)


def assign(page: Page, base: str, classroom_pk: int, due: str) -> None:
    page.goto(base + reverse("class_detail", args=[classroom_pk]))
    page.get_by_role("link", name="Assign a quiz").first.click()
    page.get_by_label("Quiz").select_option(label=TITLE)
    page.get_by_label("Due").fill(due)
    page.get_by_label("Accept late work").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook: Year 9 history")


def play(page: Page, base: str, *, first_answer: str, report: bool) -> str:
    """From the home page's "Assigned to you" to the results; question 1 (the written one)
    answered with ``first_answer`` and reported from its feedback card if ``report``.
    Every other question through the shared helper, whatever its form. The results URL."""
    page.goto(base + "/")
    page.locator("section.assigned").get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(QUESTION_URL)
    for position in range(1, 2 + len(FORMS)):
        expect(page.locator("#play-card .play-progress-text")).to_contain_text(f"Question {position} of")
        if position == 1:
            expect(page.locator("#play-card h2.stem")).to_have_text(STEM)
            answer(page, keyboard=False, option=first_answer)
        else:
            answer(page, keyboard=position % 2 == 0)
        if report:
            report = False
            expect(page.locator("#feedback-title")).to_have_text("Not quite")
            page.get_by_role("link", name="Report a problem with this question").click()
            form = page.locator("form[hx-post]")
            form.get_by_label("The answer marked right is wrong").check()
            form.get_by_label("Tell the teacher more (optional)").fill(NOTE)
            form.get_by_role("button", name="Send the report").click()
            expect(page.get_by_text("You reported this question")).to_be_visible()
        last = position == 1 + len(FORMS)
        page.get_by_role("link", name="See your results" if last else "Next question").click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    return page.url


def score(page: Page, username: str) -> tuple[int, int]:
    """The score in the gradebook's row for ``username``, as "n/m"."""
    text = page.locator("tbody tr", has_text=username).locator("td").first.inner_text()
    found = re.search(r"(\d+)/(\d+)", text)
    assert found, text
    return int(found[1]), int(found[2])


def test_the_teachers_loop_end_to_end(
    live_server, dossier, teachers_group, page: Page, page_errors, screenshot
):
    """Issue 12's "done when", played by a teacher and two students: the quiz asks every
    question form; B is marked late; the regrade moves A's score up and B's down by one, and
    the gradebook, the CSV (with its BOM), the XLSX and both results pages agree."""
    base = live_server.url
    page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    teacher = UserFactory(username="ms-loop", is_staff=True)
    teacher.groups.add(teachers_group)
    classroom = ClassroomFactory(teacher=teacher, name="Year 9 history")
    student_a, student_b = UserFactory(username="ada"), UserFactory(username="ben")
    for student in (student_a, student_b):
        MembershipFactory(classroom=classroom, student=student)
    # The teacher's own question, published, with the wrong key: Aigun is marked right.
    question = QuestionFactory(
        topic=dossier, author=teacher, stem=STEM, status=Question.Status.PUBLISHED, explanation="Border."
    )
    for order, (text, correct) in enumerate([(RIGHT, False), (WRONG_KEY, True), ("Treaty of Peking", False)]):
        ChoiceFactory(question=question, text=text, is_correct=correct, order=order)

    # The teacher builds the quiz by hand and assigns it, due in two days, late work accepted.
    log_in(page, base, teacher.username)
    build_quiz_by_hand(page, base)
    due = timezone.now().astimezone(ZoneInfo("Europe/London")) + timedelta(days=2)
    assign(page, base, classroom.pk, due.strftime("%Y-%m-%dT%H:%M"))
    assignment = Assignment.objects.get()

    # Student A plays on time, answers question 1 right (marked wrong) and reports it.
    log_in(page, base, student_a.username)
    results_a = play(page, base, first_answer=RIGHT, report=True)
    attempt_a = Attempt.objects.get(user=student_a)
    assert {item.form for item in attempt_a.items.all()} == set(ASKED), "every form asked"
    assert Report.objects.get().question_id == question.pk

    # The due date passes. The assignment's edit page refuses a due date in the past (as
    # the assign form does), so the clock is moved through the data: it opened three days
    # ago and is due now, after A finished and before B starts.
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(opens_at=now - timedelta(days=3), due_at=now)

    # Student B plays late and picks Aigun, marked right for now.
    log_in(page, base, student_b.username)
    page.goto(base + reverse("assigned_list"))
    expect(page.locator(".assigned-list")).to_contain_text("Late")
    results_b = play(page, base, first_answer=WRONG_KEY, report=False)

    # The teacher sees both scores, then opens the report queue, fixes the key and regrades.
    log_in(page, base, teacher.username)
    page.goto(base + reverse("class_gradebook", args=[classroom.pk]))
    before_a, length = score(page, "ada")
    before_b, _ = score(page, "ben")
    assert length == 1 + len(FORMS)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name=STEM).click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    page.get_by_role("link", name="Edit the question").click()
    texts = [page.locator(f"#id_choices-{i}-text").input_value() for i in range(3)]
    page.locator(f"#id_choices-{texts.index(RIGHT)}-is_correct").check()
    page.locator(f"#id_choices-{texts.index(WRONG_KEY)}-is_correct").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(base + reverse("report_queue"))
    page.get_by_role("link", name=STEM).click()
    page.get_by_label("A note for the students (optional)").fill(NOTE)
    page.get_by_role("button", name="Regrade 2 answers").click()
    expect(page.get_by_text("Regraded: 2 answers re-scored.")).to_be_visible()

    # The gradebook: A one up, B one down and still late.
    page.goto(base + reverse("class_gradebook", args=[classroom.pk]))
    assert score(page, "ada") == (before_a + 1, length)
    assert score(page, "ben") == (before_b - 1, length)
    row_b = page.locator("tbody tr", has_text="ben")
    expect(row_b.locator(".badge")).to_have_text("late")
    expect(page.locator("tbody tr", has_text="ada").locator(".badge")).to_have_count(0)
    screenshot(page, "teacher-loop-gradebook-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, "teacher-loop-gradebook-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    def percent(n: int) -> str:
        return f"{round(n * 100 / length)}%"

    expected = [
        ["ada", percent(before_a + 1), "current"],
        ["ben", f"{percent(before_b - 1)} late", "current"],
    ]
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    raw = csv_download.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel reads UTF-8 only with a byte-order mark"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][1].startswith(TITLE)
    assert rows[1:] == expected
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download XLSX").click()
    sheet = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == expected

    # Student A's results page says what the regrade did, with the teacher's note.
    for username, url, before, after in [
        ("ben", results_b, before_b, before_b - 1),
        ("ada", results_a, before_a, before_a + 1),
    ]:
        log_in(page, base, username)
        page.goto(url)
        expect(page.locator(".score-big strong")).to_have_text(str(after))
        corrections = page.locator(".corrections")
        expect(corrections).to_contain_text(
            re.compile(rf"Question 1 was corrected on \d+ \w+; your score went from {before} to {after}\.")
        )
        expect(corrections).to_contain_text(NOTE)
    screenshot(page, "teacher-loop-results-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, "teacher-loop-results-375")
    assert not page_errors, page_errors
