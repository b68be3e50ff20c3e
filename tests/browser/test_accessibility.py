"""axe-core, in Chromium, on every main page at 1280px and at 375px.

axe-core comes bundled with axe-playwright-python, which injects it with `page.evaluate`
(Playwright's evaluate is not subject to the page's CSP, so no exception to the CSP is
needed and nothing is downloaded at run time). axe checks the live DOM, so the feedback
that htmx swaps in after an answer is checked as the player sees it.

Only violations of impact "serious" or "critical" fail the test; "moderate" and "minor"
ones are advice (mostly best practices) and are printed, not asserted. No rule and no
part of any page is excluded. The pages are visited in one journey per width
(signed out, then as a player, then as the player's teacher) and every page's violations
are collected before the single assertion, so one run lists everything there is to fix.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from quiz.accounts import throttle
from quiz.assignments.models import Assignment
from quiz.models import TEACHERS_GROUP, Attempt, Question
from tests.browser.conftest import answer, audit, log_in, start_quiz
from tests.factories import ClassroomFactory, MembershipFactory, QuestionFactory, TopicFactory, UserFactory
from tests.quiz.assignments.conftest import make_teacher, written_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["page", "mobile_page"], ids=["1280px", "375px"])
def test_the_main_pages_have_no_serious_or_critical_axe_violations(request, live_server, dossier, device):
    """Home, dossier, tag, search with results, sign up, log in and the rate-limit page
    (signed out); a quiz's start page, each question and each answer's feedback, the
    results, the report form, history, leaderboards and the study pages (signed in); and the
    class page, the reported-questions queue and a question's reports, the API token page and
    the two API docs pages (one operation tried out) of the player's teacher: axe-core finds
    no violation of impact serious or critical on any of them."""
    page: Page = request.getfixturevalue(device)
    base = live_server.url
    player = UserFactory(username="player")
    teacher = UserFactory(username="teacher")
    teacher.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    classroom = ClassroomFactory(teacher=teacher, name="Year 10 history")
    MembershipFactory(classroom=classroom, student=player)
    tag = dossier.sections.exclude(tags=None).first().tags.first()
    draft = QuestionFactory(topic=dossier, author=teacher, status=Question.Status.DRAFT)
    found: list[str] = []

    for name, url in [
        ("home", "/"),
        ("dossier", dossier.get_absolute_url()),
        ("tag", tag.get_absolute_url()),
        ("search", "/search/?q=border"),
        ("sign up", "/accounts/signup/"),
        ("not found (404)", "/no-such-page/"),
        ("log in", "/accounts/login/"),
    ]:
        page.goto(base + url)
        audit(page, name, found)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    for _ in range(throttle.RESET_PER_EMAIL.requests + 1):  # the last one is over the limit
        page.goto(base + "/accounts/password/reset/")
        page.get_by_label("Email").fill(f"{device}@example.com")
        page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many password-reset requests")
    audit(page, "rate limited (429)", found)

    log_in(page, base, player.username)
    start_quiz(page, base, dossier.get_absolute_url())
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trivia: North Korea")
    audit(page, "quiz start", found)
    page.go_forward()
    for position in range(1, 6):
        audit(page, f"question {position}", found)
        answer(page, keyboard=False)
        audit(page, f"feedback {position}", found)
        link = "Next question" if position < 5 else "See your results"
        page.get_by_role("link", name=link).click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    audit(page, "results", found)
    page.goto(page.url.replace("/results/", "/q/1/report/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")
    audit(page, "report a problem", found)
    for name, url in [
        ("history", "/history/"),
        ("leaderboards", "/leaderboards/"),
        ("review", "/review/"),
        ("study progress", "/review/progress/"),
        ("study settings", "/review/settings/"),
        ("what I know of a dossier", f"/review/dossiers/{dossier.slug}/"),
    ]:
        page.goto(base + url)
        audit(page, name, found)

    log_in(page, base, teacher.username)
    page.goto(base + reverse("class_detail", args=[classroom.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(classroom.name)
    expect(page.get_by_text(player.username).first).to_be_visible()
    audit(page, "class", found)
    page.goto(base + reverse("report_queue"))
    audit(page, "reported questions", found)
    page.goto(base + reverse("report_question", args=[draft.pk]))
    audit(page, "reports on a question", found)
    page.goto(base + reverse("api_token"))
    page.get_by_role("button", name="Create a token").click()
    expect(page.locator("code.api-key")).to_be_visible()
    audit(page, "API token", found)
    for name, url in [("API docs", "/api/v1/docs"), ("Open Trivia DB docs", "/opentdb/docs")]:
        page.goto(base + url)
        expect(page.locator(".swagger-ui .info .title")).to_be_visible()
        page.locator(".opblock-summary").first.click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
        audit(page, name, found)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.mark.parametrize("device", ["page", "mobile_page"], ids=["1280px", "375px"])
def test_the_assignment_pages_have_no_serious_or_critical_axe_violations(
    request, live_server, device, screenshot
):
    """Assigned to you (home and list), an assignment's start page, a question and its
    "answer recorded" card (answers shown after the due date); the teacher's assign form
    with its errors, gradebook, a student's attempt, the item analysis, their quizzes, the
    pages that change or delete an assignment and a quiz."""
    page: Page = request.getfixturevalue(device)
    base = live_server.url
    teacher = make_teacher("assigner")
    student = UserFactory(username="pupil")
    classroom = ClassroomFactory(teacher=teacher, name="Year 8")
    MembershipFactory(classroom=classroom, student=student)
    now = timezone.now()
    assignment = Assignment.objects.create(
        classroom=classroom,
        quiz=written_quiz(TopicFactory(), 2, title="Assigned quiz", owner=teacher),
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=1),
        answers_shown=Assignment.Answers.AFTER_DUE,
    )
    found: list[str] = []

    log_in(page, base, student.username)
    page.goto(base + "/")
    expect(page.locator("section.assigned")).to_contain_text("Assigned quiz")
    audit(page, "home, assigned to you", found)
    page.goto(base + reverse("assigned_list"))
    audit(page, "assigned to you", found)
    page.goto(base + assignment.get_absolute_url())
    audit(page, "assignment start", found)
    page.get_by_role("button", name="Start").click()
    audit(page, "assignment question", found)
    page.locator('button[name="choice"]').first.click()
    expect(page.get_by_text("Answer recorded")).to_be_visible()
    audit(page, "answer recorded", found)

    log_in(page, base, teacher.username)
    page.goto(base + reverse("assignment_create", args=[classroom.pk]))
    audit(page, "assign a quiz", found)
    page.get_by_label("Attempts allowed").fill("0")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Allow at least 1 attempt.")).to_be_visible()
    audit(page, "assign a quiz, errors", found)
    attempt = Attempt.objects.get(assignment=assignment)
    for name, url in [
        ("gradebook", reverse("class_gradebook", args=[classroom.pk])),
        ("assignment (teacher)", assignment.get_absolute_url()),
        ("a student's attempt", reverse("gradebook_attempt", args=[attempt.pk])),
        ("item analysis", reverse("assignment_analysis", args=[assignment.pk])),
        ("my quizzes", reverse("my_quizzes")),
        ("new quiz", reverse("quiz_create")),
        ("pick a quiz's questions", reverse("quiz_build", args=[assignment.quiz_id])),
        ("change a quiz", reverse("quiz_edit", args=[assignment.quiz_id])),
        ("change an assignment", reverse("assignment_edit", args=[assignment.pk])),
        ("delete an assignment", reverse("assignment_delete", args=[assignment.pk])),
        ("delete a quiz, refused", reverse("quiz_delete", args=[assignment.quiz_id])),
    ]:
        page.goto(base + url)
        audit(page, name, found)
        if name.startswith(("change an", "delete an", "pick a")):
            width = "375" if device == "mobile_page" else "1280"
            screenshot(page, f"{name.replace(' ', '-').replace(chr(39), '')}-{width}")

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
