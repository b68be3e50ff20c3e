"""When a question is wrong, in Chromium: a student reports it from the feedback card, the
teacher opens the queue, fixes the key in the admin and regrades, and the student's
results page shows the correction, its note and the new score."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quiz.models import Quiz
from quiz.reports.models import Report
from tests.browser.conftest import QUESTION_URL, log_in
from tests.factories import ChoiceFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RIGHT, WRONG_KEY = "Treaty of Nerchinsk", "Treaty of Aigun"
NOTE = "The 1689 treaty was Nerchinsk; Aigun is from 1858."


def test_a_student_reports_a_wrong_key_and_the_teacher_regrades(
    live_server, dossier, teachers_group, page: Page, mobile_page: Page, page_errors, screenshot
):
    base = live_server.url
    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(teachers_group)
    UserFactory(username="student")
    question = QuestionFactory(topic=dossier, author=teacher, stem="Which treaty fixed the border in 1689?")
    for order, (text, correct) in enumerate([(RIGHT, False), (WRONG_KEY, True), ("Treaty of Peking", False)]):
        ChoiceFactory(question=question, text=text, is_correct=correct, order=order)
    quiz = Quiz.objects.create(
        topic=dossier,
        slug="border",
        title="Border treaties",
        published=True,
        mix=Quiz.Mix.WRITTEN,
        question_count=1,
        allow_length_choice=False,
    )

    student = mobile_page
    log_in(student, base, "student")
    student.goto(f"{base}/quizzes/{quiz.slug}/")
    student.get_by_role("button", name="Start").click()
    expect(student).to_have_url(QUESTION_URL)
    student.locator("#play-card").get_by_role("button", name=RIGHT).click()
    expect(student.locator("#feedback-title")).to_have_text("Not quite")
    student.get_by_role("link", name="Report a problem with this question").click()
    form = student.locator("form[hx-post]")
    expect(form).to_be_visible()  # swapped in place, no page load
    expect(student).to_have_url(QUESTION_URL)
    form.get_by_label("The answer marked right is wrong").check()
    form.get_by_label("Tell the teacher more (optional)").fill(NOTE)
    screenshot(student, "reports-student-form-375")
    form.get_by_role("button", name="Send the report").click()
    expect(student.get_by_text("You reported this question")).to_be_visible()
    report = Report.objects.get()
    assert (report.question_id, report.note) == (question.pk, NOTE)
    student.get_by_role("link", name="See your results").click()
    expect(student.locator(".score-big strong")).to_have_text("0")
    results_url = student.url

    page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    log_in(page, base, "teacher")
    page.goto(base + "/reports/")
    screenshot(page, "reports-teacher-queue-1280")
    page.get_by_role("link", name=question.stem).click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_text("Nothing to regrade")).to_be_visible()
    screenshot(page, "reports-teacher-question-1280")
    page.get_by_role("link", name="Edit the question").click()
    choices = [page.locator(f"#id_choices-{i}-text").input_value() for i in range(3)]
    page.locator(f"#id_choices-{choices.index(RIGHT)}-is_correct").check()
    page.locator(f"#id_choices-{choices.index(WRONG_KEY)}-is_correct").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{base}/reports/questions/{question.pk}/")
    expect(page.get_by_text("Now version 2.")).to_be_visible()
    page.get_by_label("A note for the students (optional)").fill("Nerchinsk (1689) is right.")
    page.get_by_role("button", name="Regrade 1 answer").click()
    expect(page.get_by_text("Regraded: 1 answer re-scored.")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, "reports-teacher-regraded-375")

    student.goto(results_url)
    expect(student.locator(".score-big strong")).to_have_text("1")
    corrections = student.locator(".corrections")
    expect(corrections).to_contain_text(
        re.compile(r"Question 1 was corrected on \d+ \w+; your score went from 0 to 1\.")
    )
    expect(corrections).to_contain_text("Nerchinsk (1689) is right.")
    screenshot(student, "reports-student-results-375")
    assert not page_errors, page_errors
