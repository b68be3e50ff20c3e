"""An assignment that shows the right answers only after its due date keeps the student's
score hidden until then too, on every page a student sees: the question card, the
assignment page, their history (the list of attempts, best per quiz, questions right) and
the leaderboards. After the due date every one of them shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.assignments.models import Assignment
from quiz.leaderboards import standings
from quiz.models import Attempt

from .conftest import client_for
from .helpers import answer, start

pytestmark = pytest.mark.django_db

HIDDEN = "Score shown after"


@pytest.fixture
def hidden(school):
    """student1 has finished the assignment (2 of 3 right); its answers show after the due date."""
    assignment = school.assign(answers_shown=Assignment.Answers.AFTER_DUE)
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    answer(client, attempt, [True, False, True])
    attempt.refresh_from_db()
    assert attempt.score == 2
    return assignment, attempt, client


def _pass_the_due_date(assignment: Assignment) -> None:
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=now - timedelta(days=3), due_at=now - timedelta(minutes=1)
    )
    Attempt.objects.filter(assignment=assignment).update(answers_hidden_until=now - timedelta(minutes=1))


def test_history_hides_the_score_until_the_due_date(hidden):
    """The history's "Every quiz you played" says when the score will show, instead of 2/3; the best score
    per quiz and the count of questions right leave the attempt out. After the due date the
    history shows all three."""
    assignment, _, client = hidden
    page = client.get(reverse("history")).content.decode()
    assert HIDDEN in page
    assert "2/3" not in page
    assert "67%" not in page  # best per quiz
    assert 'stat-number">0/0<' in page  # questions right
    _pass_the_due_date(assignment)
    page = client.get(reverse("history")).content.decode()
    assert HIDDEN not in page
    assert "2/3" in page
    assert "67%" in page
    assert 'stat-number">2/3<' in page


def test_the_question_card_shows_no_running_score_while_answers_are_hidden(school):
    """After a right answer the next, unanswered question's progress line says "Score –",
    not "Score 1"."""
    assignment = school.assign(answers_shown=Assignment.Answers.AFTER_DUE)
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    answer(client, attempt, [True])
    page = client.get(reverse("attempt_question", args=[attempt.pk, 2])).content.decode()
    assert "Question <strong>2</strong>" in page
    assert "Score <strong>–</strong>" in page
    assert "Score <strong>1</strong>" not in page


def test_the_assignment_page_says_when_the_score_shows(hidden):
    assignment, _, client = hidden
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert HIDDEN in page
    assert "2/3" not in page
    _pass_the_due_date(assignment)
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "2/3" in page


def test_the_leaderboards_count_the_attempt_only_after_the_due_date(hidden):
    """The overall board totals right answers: an assignment's hidden score would show
    there (and in the student's own standing) before the due date."""
    assignment, _, client = hidden
    assert standings.overall_leaderboard() == []
    assert "student1" not in client.get(reverse("leaderboards")).content.decode()
    _pass_the_due_date(assignment)
    board = standings.overall_leaderboard()
    assert [(row.username, row.score) for row in board] == [("student1", 2)]


def test_answers_shown_after_each_question_show_the_score_at_once(school):
    """The default policy hides nothing."""
    assignment = school.assign()
    client = client_for(school.students[0])
    answer(client, start(client, assignment.pk), [True, False, True])
    page = client.get(reverse("history")).content.decode()
    assert "2/3" in page
    assert HIDDEN not in page
