"""Setting an assignment: the form refuses bad input at the field, and only the class's
teacher may set one."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.assignments.models import Assignment
from tests.factories import ClassroomFactory, QuizFactory

from .conftest import client_for, make_teacher

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _local(moment):
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _data(school, **overrides):
    now = timezone.now()
    data = {
        "quiz": school.quiz.pk,
        "opens_at": _local(now),
        "due_at": _local(now + timedelta(days=3)),
        "attempt_limit": "2",
        "counts": "best",
        "time_limit_minutes": "",
        "answers_shown": "each",
    }
    data.update(overrides)
    return data


def test_a_teacher_assigns_a_quiz_in_the_school_time_zone(school):
    url = reverse("assignment_create", args=[school.classroom.pk])
    page = client_for(school.teacher).get(url)
    assert page.status_code == 200
    assert "Europe/London" in page.content.decode()
    due = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    response = client_for(school.teacher).post(url, _data(school, due_at=_local(due), late_allowed="on"))
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.classroom == school.classroom
    assert assignment.due_at == due  # typed as London wall time, stored as that instant
    assert assignment.late_allowed
    assert assignment.attempt_limit == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"attempt_limit": "0"}, "attempt_limit", "Allow at least 1 attempt."),
        ({"attempt_limit": "-3"}, "attempt_limit", ""),
        ({"time_limit_minutes": "0"}, "time_limit_minutes", "at least 1 minute"),
        ({"due_at": "2001-01-01T10:00"}, "due_at", "The due date is in the past"),
        ({"due_at": "not a date"}, "due_at", "Enter a valid date/time."),
        ({"counts": "median"}, "counts", "Select a valid choice."),
        ({"quiz": "999999"}, "quiz", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(school, overrides, field, message):
    response = client_for(school.teacher).post(
        reverse("assignment_create", args=[school.classroom.pk]), _data(school, **overrides)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert not Assignment.objects.exists()


def test_a_due_date_before_the_opening_is_refused(school):
    now = timezone.now()
    data = _data(school, opens_at=_local(now + timedelta(days=5)), due_at=_local(now + timedelta(days=4)))
    response = client_for(school.teacher).post(reverse("assignment_create", args=[school.classroom.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["due_at"] == ["The due date must come after the opening time."]
    assert not Assignment.objects.exists()


def test_another_teachers_draft_quiz_cannot_be_assigned(school):
    draft = QuizFactory(published=False, owner=make_teacher("other"))
    response = client_for(school.teacher).post(
        reverse("assignment_create", args=[school.classroom.pk]), _data(school, quiz=draft.pk)
    )
    assert response.status_code == 400
    assert "quiz" in response.context["form"].errors


def test_only_the_classes_teacher_may_assign(school):
    url = reverse("assignment_create", args=[school.classroom.pk])
    assert client_for(make_teacher("other")).post(url, _data(school)).status_code == 404
    assert client_for(make_teacher("other2")).get(url).status_code == 404
    assert client_for(school.students[0]).post(url, _data(school)).status_code == 403
    assert not Assignment.objects.exists()


def test_another_teachers_class_gradebook_and_assignment_are_not_found(school):
    assignment = school.assign()
    other = client_for(make_teacher("other"))
    for url in (
        reverse("class_gradebook", args=[school.classroom.pk]),
        reverse("gradebook_csv", args=[school.classroom.pk]),
        reverse("gradebook_xlsx", args=[school.classroom.pk]),
        reverse("assignment_analysis", args=[assignment.pk]),
        reverse("assignment_detail", args=[assignment.pk]),
    ):
        assert other.get(url).status_code == 404, url


def test_students_cannot_open_teacher_pages(school):
    assignment = school.assign()
    student = client_for(school.students[0])
    assert student.get(reverse("class_gradebook", args=[school.classroom.pk])).status_code == 403
    assert student.get(reverse("assignment_analysis", args=[assignment.pk])).status_code == 403


def test_an_assignment_of_a_class_the_student_is_not_in_is_not_found(school):
    other_class = ClassroomFactory(teacher=school.teacher)
    assignment = school.assign(classroom=other_class)
    url = reverse("assignment_detail", args=[assignment.pk])
    assert client_for(school.students[0]).get(url).status_code == 404
    assert client_for(school.students[0]).post(url).status_code == 404
