"""Changing and deleting what a teacher made: an assignment (its window, limits and policy;
deleted after a confirmation, its attempts kept as practice) and a hand-built quiz (renamed
at any time, its questions reordered or removed only until someone plays it; deleted
unless assigned or played). Only the owner; anyone else's is a 404; every change is a
POST with its CSRF token."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.assignments import picks
from quiz.assignments.models import Assignment, QuizPick
from quiz.models import Attempt, Quiz

from .conftest import client_for, make_teacher
from .helpers import answer, start

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _local(moment) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _form(assignment: Assignment, **changes: object) -> dict:
    data = {
        "opens_at": _local(assignment.opens_at),
        "due_at": _local(assignment.due_at),
        "attempt_limit": assignment.attempt_limit,
        "counts": assignment.counts,
        "time_limit_minutes": assignment.time_limit_minutes or "",
        "answers_shown": assignment.answers_shown,
    }
    if assignment.late_allowed:
        data["late_allowed"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_owner_changes_the_window_limits_and_policy(school):
    """The edit form shows the assignment as it is (in the school's zone) and saves the new
    due date, limits and policy; the quiz cannot be changed there."""
    assignment = school.assign()
    teacher = client_for(school.teacher)
    url = reverse("assignment_edit", args=[assignment.pk])
    page = teacher.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert _local(assignment.due_at) in html
    assert 'name="quiz"' not in html
    new_due = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    response = teacher.post(
        url,
        _form(
            assignment,
            due_at=_local(new_due),
            attempt_limit=3,
            counts="last",
            time_limit_minutes=20,
            answers_shown="after_due",
            late_allowed="on",
            quiz=999999,  # ignored: not a field of the edit form
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == assignment.get_absolute_url()
    assignment.refresh_from_db()
    assert assignment.due_at == new_due
    assert (assignment.attempt_limit, assignment.counts, assignment.time_limit_minutes) == (3, "last", 20)
    assert (assignment.answers_shown, assignment.late_allowed) == ("after_due", True)
    assert assignment.quiz == school.quiz


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"attempt_limit": 0}, "Allow at least 1 attempt."),
        ({"attempt_limit": 21}, "Allow at most 20 attempts."),
        ({"time_limit_minutes": 0}, "A time limit is at least 1 minute"),
        ({"due_at": "2001-01-01T10:00"}, "The due date is in the past"),
        ({"opens_at": "2999-01-01T10:00"}, "The due date must come after the opening time."),
    ],
)
def test_the_edit_form_checks_each_field_as_the_assign_form_does(school, changes, message):
    assignment = school.assign()
    before = Assignment.objects.values().get(pk=assignment.pk)
    response = client_for(school.teacher).post(
        reverse("assignment_edit", args=[assignment.pk]), _form(assignment, **changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Assignment.objects.values().get(pk=assignment.pk) == before


def test_an_overdue_assignment_can_still_be_changed_when_its_due_date_is_kept(school):
    """Raising the attempt limit of an assignment already past due is not refused for its
    (unchanged) due date."""
    now = timezone.now()
    assignment = school.assign(opens_at=now - timedelta(days=3), due_at=now - timedelta(days=1))
    response = client_for(school.teacher).post(
        reverse("assignment_edit", args=[assignment.pk]),
        _form(assignment, attempt_limit=2, late_allowed="on"),
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.attempt_limit, assignment.late_allowed) == (2, True)


def test_attempts_follow_the_new_due_date(school):
    """Answers kept until the due date stay hidden until the new one; an open attempt
    (no late work) now ends at the new due date."""
    assignment = school.assign(answers_shown=Assignment.Answers.AFTER_DUE)
    client = client_for(school.students[0])
    done = start(client, assignment.pk)
    answer(client, done, [True, True, True])
    still_open = start(client_for(school.students[1]), assignment.pk)
    new_due = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    client_for(school.teacher).post(
        reverse("assignment_edit", args=[assignment.pk]), _form(assignment, due_at=_local(new_due))
    )
    done.refresh_from_db()
    still_open.refresh_from_db()
    assert done.answers_hidden_until == new_due
    assert still_open.deadline == new_due
    client_for(school.teacher).post(
        reverse("assignment_edit", args=[assignment.pk]),
        _form(assignment, due_at=None, answers_shown="each") | {"due_at": _local(new_due)},
    )
    done.refresh_from_db()
    assert done.answers_hidden_until is None


def test_deleting_an_assignment_asks_first_and_keeps_its_attempts_as_practice(school):
    """GET shows what deleting does (and deletes nothing); POST deletes it. The attempt made
    for it stays in the student's history as a plain play of the quiz, answers shown, and
    leaves the gradebook."""
    assignment = school.assign(answers_shown=Assignment.Answers.AFTER_DUE)
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    answer(client, attempt, [True, False, True])
    teacher = client_for(school.teacher)
    url = reverse("assignment_delete", args=[assignment.pk])
    page = teacher.get(url)
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "The 1 attempt made for it stays in its student's history as practice" in html
    assert 'method="post"' in html
    assert Assignment.objects.filter(pk=assignment.pk).exists()

    response = teacher.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("class_gradebook", args=[school.classroom.pk])
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    attempt.refresh_from_db()
    assert (attempt.assignment_id, attempt.answers_hidden_until, attempt.score) == (None, None, 2)
    assert client.get(reverse("attempt_results", args=[attempt.pk])).status_code == 200
    gradebook = teacher.get(reverse("class_gradebook", args=[school.classroom.pk])).content.decode()
    assert "Nothing is assigned to this class yet." in gradebook
    assert "2/3" in client.get(reverse("history")).content.decode()


def test_only_the_owner_changes_or_deletes_an_assignment(school):
    """Another teacher gets a 404 on both pages, GET or POST; a student a 403; nothing changes."""
    assignment = school.assign()
    other, student = client_for(make_teacher("other")), client_for(school.students[0])
    for name in ("assignment_edit", "assignment_delete"):
        url = reverse(name, args=[assignment.pk])
        assert other.get(url).status_code == 404
        assert other.post(url, _form(assignment, attempt_limit=5)).status_code == 404
        assert student.get(url).status_code == 403
        assert student.post(url, _form(assignment, attempt_limit=5)).status_code == 403
    assignment.refresh_from_db()
    assert assignment.attempt_limit == 1


def test_every_change_needs_its_csrf_token(school):
    """A forged POST (no token) is refused: the assignment is neither changed nor deleted,
    and neither is a quiz."""
    assignment = school.assign()
    quiz = Quiz.objects.create(topic=school.quiz.topic, slug="mine", title="Mine", owner=school.teacher)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(school.teacher)
    assert (
        forged.post(
            reverse("assignment_edit", args=[assignment.pk]), _form(assignment, attempt_limit=5)
        ).status_code
        == 403
    )
    assert forged.post(reverse("assignment_delete", args=[assignment.pk])).status_code == 403
    assert forged.post(reverse("quiz_delete", args=[quiz.pk])).status_code == 403
    assert Assignment.objects.get(pk=assignment.pk).attempt_limit == 1
    assert Quiz.objects.filter(pk=quiz.pk).exists()


@pytest.fixture
def built(school):
    """The teacher's hand-built quiz of the school's three written questions."""
    quiz = Quiz.objects.create(
        topic=school.quiz.topic, slug="built", title="Built", owner=school.teacher, published=True
    )
    for question in picks.usable_questions(quiz, school.teacher):
        picks.add(quiz, question=question)
    return quiz


def _stems(quiz: Quiz) -> list[str]:
    return [pick.question.stem for pick in quiz.picks.select_related("question").order_by("position")]


def test_a_hand_built_quiz_is_renamed_with_its_title_and_publishing_only(school, built):
    teacher = client_for(school.teacher)
    url = reverse("quiz_edit", args=[built.pk])
    html = teacher.get(url).content.decode()
    assert 'name="title"' in html
    assert 'name="mix"' not in html
    assert 'name="question_count"' not in html
    response = teacher.post(url, {"title": "Treaties, renamed", "published": "on"})
    assert response.status_code == 302
    built.refresh_from_db()
    assert (built.title, built.hand_picked, built.question_count) == ("Treaties, renamed", True, 3)


def test_questions_are_reordered_and_removed_until_the_quiz_is_played_then_fixed(school, built):
    """Before anyone plays it the owner moves and removes questions; once a student has
    started it every change is refused (409) with the reason, the page offers no buttons to
    change them, and renaming still works."""
    teacher = client_for(school.teacher)
    url = reverse("quiz_build", args=[built.pk])
    first = built.picks.order_by("position").first()
    assert teacher.post(url, {"action": "down", "pick": first.pk}).status_code == 302
    assert _stems(built) == ["Question 2?", "Question 1?", "Question 3?"]
    last = built.picks.order_by("position").last()
    assert teacher.post(url, {"action": "remove", "pick": last.pk}).status_code == 302
    assert _stems(built) == ["Question 2?", "Question 1?"]

    assignment = school.assign(quiz=built)
    start(client_for(school.students[0]), assignment.pk)
    pick = built.picks.order_by("position").first()
    for data in (
        {"action": "up", "pick": pick.pk},
        {"action": "remove", "pick": pick.pk},
        {"action": "add_written", "question": school.quiz.topic.questions.last().pk},
    ):
        refused = teacher.post(url, data)
        assert refused.status_code == 409
        assert "Students have played this quiz, so its questions stay as they are" in refused.content.decode()
    assert _stems(built) == ["Question 2?", "Question 1?"]
    assert QuizPick.objects.filter(quiz=built).count() == 2
    page = teacher.get(url).content.decode()
    assert "Students have played this quiz" in page
    assert 'value="remove"' not in page
    assert 'value="add_written"' not in page
    assert (
        teacher.post(reverse("quiz_edit", args=[built.pk]), {"title": "Still renamable"}).status_code == 302
    )
    assert Quiz.objects.get(pk=built.pk).title == "Still renamable"


def test_a_quiz_is_deleted_after_a_confirmation_unless_assigned_or_played(school, built):
    """The owner deletes an unplayed, unassigned quiz (GET asks, POST deletes); an assigned
    one is refused until the assignment is deleted, and a played one is refused for good:
    its students' attempts keep it. Another teacher gets a 404."""
    teacher = client_for(school.teacher)
    url = reverse("quiz_delete", args=[built.pk])
    assert client_for(make_teacher("other")).get(url).status_code == 404
    assert client_for(make_teacher("other")).post(url).status_code == 404

    assignment = school.assign(quiz=built)
    page = teacher.get(url)
    assert "is assigned to Year 9: delete that assignment first." in page.content.decode()
    assert teacher.post(url).status_code == 409
    start(client_for(school.students[0]), assignment.pk)
    teacher.post(reverse("assignment_delete", args=[assignment.pk]))
    refused = teacher.post(url)
    assert refused.status_code == 409
    assert "Students have played Built, and their attempts keep it" in refused.content.decode()
    assert Quiz.objects.filter(pk=built.pk).exists()
    assert Attempt.objects.filter(quiz=built).count() == 1

    spare = Quiz.objects.create(topic=built.topic, slug="spare", title="Spare", owner=school.teacher)
    spare_url = reverse("quiz_delete", args=[spare.pk])
    assert "Delete Spare?" in teacher.get(spare_url).content.decode()
    assert Quiz.objects.filter(pk=spare.pk).exists()
    response = teacher.post(spare_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("my_quizzes")
    assert not Quiz.objects.filter(pk=spare.pk).exists()
