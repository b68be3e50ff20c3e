"""Building a quiz by hand: pick written and generated questions, reorder, remove; a
generated question is frozen as picked; the quiz asks exactly the picks, in order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.assignments.models import QuizPick
from quiz.assignments.picks import picked_questions
from quiz.models import Attempt, Question, Quiz
from tests.factories import ChoiceFactory, FactFactory, QuestionFactory, TopicFactory

from .conftest import client_for, make_teacher
from .helpers import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    teacher = make_teacher("builder")
    topic = TopicFactory(published=True)
    for n in range(6):  # years fixed: the factory's sequence runs into the future in a long session
        FactFactory(topic=topic, answer=str(1700 + 10 * n))
    written = []
    for n in (1, 2):
        question = QuestionFactory(topic=topic, stem=f"Written {n}?")
        ChoiceFactory(question=question, text=f"Right {n}", is_correct=True, order=0)
        ChoiceFactory(question=question, text=f"Wrong {n}", order=1)
        written.append(question)
    quiz = Quiz.objects.create(topic=topic, slug="by-hand", title="By hand", owner=teacher, shuffle=False)
    return teacher, quiz, written


def _post(client, quiz, **data):
    return client.post(reverse("quiz_build", args=[quiz.pk]), {"seed": "7", **data})


def test_pick_reorder_remove_and_play_in_that_order(setup):
    teacher, quiz, written = setup
    client = client_for(teacher)
    page = client.get(reverse("quiz_build", args=[quiz.pk]) + "?seed=7")
    assert page.status_code == 200
    assert "Written 1?" in page.content.decode()
    assert _post(client, quiz, action="add_written", question=written[1].pk).status_code == 302
    _post(client, quiz, action="add_written", question=written[0].pk)
    _post(client, quiz, action="add_generated", index="0")
    picks = list(quiz.picks.order_by("position"))
    assert [p.question_id for p in picks] == [written[1].pk, written[0].pk, None]
    _post(client, quiz, action="up", pick=picks[1].pk)  # Written 1 first
    _post(client, quiz, action="down", pick=picks[2].pk)  # the last stays last
    quiz.refresh_from_db()
    assert quiz.hand_picked
    assert quiz.question_count == 3
    generated_stem = picks[2].snapshot["stem"]
    assert [p.question_id for p in quiz.picks.order_by("position")] == [written[0].pk, written[1].pk, None]
    # Played: exactly the picks, in order.
    quiz.published = True
    quiz.save()
    student = client_for(make_teacher("player"))
    response = student.post(quiz.get_absolute_url())
    attempt = Attempt.objects.get(pk=response["Location"].split("/")[-2])
    assert list(attempt.items.order_by("position").values_list("stem", flat=True)) == [
        "Written 1?",
        "Written 2?",
        generated_stem,
    ]
    # Played: its questions are fixed (tests/quiz/assignments/test_editing.py).
    assert _post(client, quiz, action="remove", pick=picks[0].pk).status_code == 409
    assert quiz.picks.count() == 3


def test_a_generated_pick_is_frozen(setup):
    teacher, quiz, _ = setup
    client = client_for(teacher)
    _post(client, quiz, action="add_generated", index="0")
    pick = quiz.picks.get()
    before = dict(pick.snapshot)
    for fact in quiz.topic.facts.all():
        fact.answer = "Changed since"
        fact.statement = "Changed since"
        fact.save()
    quiz.refresh_from_db()
    [asked] = picked_questions(quiz, seed=1)
    assert asked.stem == before["stem"]
    assert asked.options == before["options"]
    assert asked.answer == before["answer"]


def test_an_assignment_of_a_hand_picked_quiz_asks_the_picks(setup, school):
    teacher, quiz, written = setup
    _post(client_for(teacher), quiz, action="add_written", question=written[0].pk)
    assignment = school.assign(quiz=Quiz.objects.get(pk=quiz.pk))
    attempt = start(client_for(school.students[0]), assignment.pk)
    assert list(attempt.items.values_list("stem", flat=True)) == ["Written 1?"]


def test_another_teachers_draft_question_cannot_be_picked(setup):
    teacher, quiz, _ = setup
    draft = QuestionFactory(topic=quiz.topic, status=Question.Status.DRAFT, author=make_teacher("other"))
    response = _post(client_for(teacher), quiz, action="add_written", question=draft.pk)
    assert response.status_code == 404
    assert not QuizPick.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add_generated", "index": "99"},
        {"action": "add_generated", "index": "-1"},
        {"action": "add_written", "question": "abc"},
        {"action": "up", "pick": "123456"},
    ],
)
def test_bad_picks_are_not_found_and_change_nothing(setup, data):
    teacher, quiz, _ = setup
    assert _post(client_for(teacher), quiz, **data).status_code == 404
    assert not QuizPick.objects.exists()


def test_only_the_owner_builds(setup):
    _, quiz, written = setup
    other = client_for(make_teacher("other"))
    assert other.get(reverse("quiz_build", args=[quiz.pk])).status_code == 404
    assert _post(other, quiz, action="add_written", question=written[0].pk).status_code == 404
    assert not QuizPick.objects.exists()
