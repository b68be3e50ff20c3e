"""Students at an assignment: the server keeps the window, the attempt limit, the class
and the hidden answers; the assigned quiz is the class's alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.assignments import context, play
from quiz.models import Attempt
from tests.factories import UserFactory

from .conftest import client_for
from .helpers import answer, start

pytestmark = pytest.mark.django_db


def test_a_student_starts_the_assignment_and_it_is_graded(school):
    assignment = school.assign()
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    assert attempt.assignment == assignment
    assert attempt.mode == Attempt.Mode.NORMAL
    assert attempt.deadline == assignment.due_at  # no late work: answers stop at the due date
    answer(client, attempt, [True, False, True])
    attempt.refresh_from_db()
    assert (attempt.score, attempt.length, attempt.is_finished) == (2, 3, True)


def test_every_student_gets_the_same_questions(school):
    school.quiz.shuffle = True
    school.quiz.save()
    assignment = school.assign()
    stems = [
        list(start(client_for(s), assignment.pk).items.order_by("position").values_list("stem", "options"))
        for s in school.students
    ]
    assert stems[0] == stems[1]


def test_before_it_opens_the_start_is_refused_with_the_opening_time(school):
    assignment = school.assign(opens_at=timezone.now() + timedelta(hours=3))
    client = client_for(school.students[0])
    page = client.get(reverse("assignment_detail", args=[assignment.pk]))
    assert "This assignment opens on" in page.content.decode()
    response = client.post(reverse("assignment_detail", args=[assignment.pk]))
    assert response.status_code == 409
    assert "This assignment opens on" in response.content.decode()
    assert not Attempt.objects.exists()


def test_after_the_due_date_the_start_is_refused_without_late_work(school):
    assignment = school.assign(
        opens_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(hours=1)
    )
    response = client_for(school.students[0]).post(reverse("assignment_detail", args=[assignment.pk]))
    assert response.status_code == 409
    assert "late work is not accepted" in response.content.decode()
    assert not Attempt.objects.exists()


def test_late_work_where_accepted_is_marked_late(school):
    assignment = school.assign(
        opens_at=timezone.now() - timedelta(days=3),
        due_at=timezone.now() - timedelta(hours=1),
        late_allowed=True,
    )
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    assert attempt.deadline is None
    answer(client, attempt, [True, True, True])
    attempt.refresh_from_db()
    assert attempt.score == 3
    assert play.is_late(assignment, attempt)
    assert play.standing(assignment, [attempt]).status == play.LATE


def test_an_answer_after_the_due_date_is_refused_without_late_work(school):
    assignment = school.assign()
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    client.get(url)
    past = timezone.now() - timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=past)
    type(assignment).objects.filter(pk=assignment.pk).update(due_at=past, opens_at=past - timedelta(days=1))
    response = client.post(url, {"choice": "0"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 0
    assert attempt.answered_count == 0
    assert attempt.items.get(position=1).answered_at is None


def test_the_attempt_limit_is_kept(school):
    assignment = school.assign(attempt_limit=1)
    client = client_for(school.students[0])
    answer(client, start(client, assignment.pk), [True, True, True])
    response = client.post(reverse("assignment_detail", args=[assignment.pk]))
    assert response.status_code == 409
    assert "You have used your 1 attempt" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_a_time_limit_sets_the_attempts_deadline(school):
    assignment = school.assign(time_limit_minutes=5, late_allowed=True)
    attempt = start(client_for(school.students[0]), assignment.pk)
    assert attempt.deadline is not None
    assert timedelta(minutes=4) < attempt.deadline - timezone.now() <= timedelta(minutes=5)


def test_someone_outside_the_class_cannot_start_or_see_it(school):
    assignment = school.assign()
    outsider = client_for(UserFactory())
    assert outsider.get(reverse("assignment_detail", args=[assignment.pk])).status_code == 404
    assert outsider.post(reverse("assignment_detail", args=[assignment.pk])).status_code == 404
    assert not Attempt.objects.exists()


def test_a_student_who_left_the_class_cannot_start(school):
    assignment = school.assign()
    school.classroom.memberships.filter(student=school.students[0]).update(left_at=timezone.now())
    response = client_for(school.students[0]).post(reverse("assignment_detail", args=[assignment.pk]))
    assert response.status_code == 404


def test_answers_after_the_due_date_show_only_answer_recorded(school):
    assignment = school.assign(answers_shown="after_due")
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    client.get(url)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(url, {"choice": "1"}, **headers) if not headers else client.get(url, **headers)
        if response.status_code == 302:
            response = client.get(url)
        page = response.content.decode()
        assert "Answer recorded" in page
        assert "Right 1" not in page  # the right answer is not on the page
        assert "Because the sources say so" not in page  # nor the explanation
    answer_rest = [(2, "0"), (3, "0")]
    for position, choice in answer_rest:
        q = reverse("attempt_question", args=[attempt.pk, position])
        client.get(q)
        client.post(q, {"choice": choice})
    results = client.get(reverse("attempt_results", args=[attempt.pk]))
    assert results.status_code == 302
    assert results["Location"] == reverse("assignment_detail", args=[assignment.pk])
    review = client.post(reverse("attempt_review", args=[attempt.pk]))
    assert review.status_code == 404
    # After the due date everything shows.
    Attempt.objects.filter(pk=attempt.pk).update(answers_hidden_until=timezone.now() - timedelta(seconds=1))
    assert "Right 1" in client.get(url).content.decode()


def test_an_assigned_quiz_is_the_class_alone(school):
    quiz = school.quiz
    quiz.topic.published = True
    quiz.topic.save()
    assert quiz.title in client_for(UserFactory()).get(quiz.topic.get_absolute_url()).content.decode()
    school.assign()  # after the dossier page was cached
    assert client_for(UserFactory()).get(quiz.get_absolute_url()).status_code == 404
    assert client_for(school.students[0]).get(quiz.get_absolute_url()).status_code == 404
    dossier = client_for(UserFactory()).get(quiz.topic.get_absolute_url()).content.decode()
    assert quiz.title not in dossier


def test_an_assignment_attempt_cannot_be_shared_as_a_challenge(school):
    assignment = school.assign()
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    answer(client, attempt, [True, True, True])
    attempt.refresh_from_db()
    assert client_for(UserFactory()).get(reverse("challenge", args=[attempt.share_code])).status_code == 404


def test_students_see_what_is_assigned_with_its_status(school):
    done = school.assign()
    school.assign(quiz=school.quiz, due_at=timezone.now() + timedelta(days=5))
    school.assign(opens_at=timezone.now() + timedelta(days=1), due_at=timezone.now() + timedelta(days=5))
    client = client_for(school.students[0])
    home = client.get(reverse("home")).content.decode()
    assert "Assigned to you" in home
    assert home.count('class="badge">2<') == 2  # the nav count, wide and narrow: two to do
    answer(client, start(client, done.pk), [True, True, True])
    page = client.get(reverse("assigned_list")).content.decode()
    assert page.count("Done") == 1
    assert page.count("Not started") == 1
    assert "(Europe/London)" in page
    assert client.get(reverse("home")).content.decode().count('class="badge">1<') == 2


def test_the_assigned_list_has_no_one_elses_assignments(school):
    school.assign()
    page = client_for(UserFactory()).get(reverse("assigned_list")).content.decode()
    assert "Nothing is assigned to you" in page


def test_the_results_of_an_assignment_lead_back_to_it_not_to_a_public_start_page(school):
    """An assigned quiz has no public start page (it would be a 404), so the results of an
    assignment's attempt offer "Back to the assignment" instead of "Play again"."""
    assignment = school.assign()
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    answer(client, attempt, [True, True, True])
    page = client.get(reverse("attempt_results", args=[attempt.pk])).content.decode()
    assert f'href="{reverse("assignment_detail", args=[assignment.pk])}">Back to the assignment<' in page
    assert "Play again" not in page
    assert client.get(reverse("quiz_detail", args=[school.quiz.slug])).status_code == 404


def test_the_navigation_counts_open_assignments_on_every_page_with_the_nav(school, monkeypatch):
    """The "Assigned to you" count is on every page that has the navigation (history,
    search, profile, review, leaderboards, classes, results), counted once per request
    (the header shows the nav twice, wide and narrow). A teacher's nav has no such entry
    and runs no count; a signed-out visitor's neither."""
    school.assign()
    other = school.assign(due_at=timezone.now() + timedelta(days=4))
    client = client_for(school.students[0])
    attempt = start(client, other.pk)
    answer(client, attempt, [True, True, True])  # one of the two done: one to do
    pages = [
        reverse("history"),
        reverse("search") + "?q=treaty",
        reverse("profile"),
        reverse("review"),
        reverse("leaderboards"),
        reverse("class_list"),
        reverse("attempt_results", args=[attempt.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert html.count('class="badge">1<') == 2, url
    counted = []
    monkeypatch.setattr(context, "waiting_count", lambda user: counted.append(user) or 1)
    client.get(reverse("history"))
    assert counted == [school.students[0]]
    counted.clear()
    client_for(school.teacher).get(reverse("history"))
    Client().get(reverse("search"))
    assert counted == []
