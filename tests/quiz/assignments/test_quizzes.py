"""A teacher's own quizzes, by rules: made as a draft or published, changed only by their
owner; an empty quiz cannot be published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.models import Quiz
from tests.factories import ChoiceFactory, QuestionFactory, TopicFactory, UserFactory

from .conftest import client_for, make_teacher

pytestmark = pytest.mark.django_db


def _data(topic, **overrides):
    data = {"title": "Week 3 check", "topic": topic.pk, "tag": "", "mix": "written", "question_count": "5"}
    data.update(overrides)
    return data


def _topic_with_a_question():
    topic = TopicFactory(published=True)
    question = QuestionFactory(topic=topic)
    ChoiceFactory(question=question, text="Yes", is_correct=True)
    ChoiceFactory(question=question, text="No")
    return topic


def test_a_teacher_makes_a_draft_then_publishes_it():
    teacher = make_teacher("owner")
    topic = _topic_with_a_question()
    client = client_for(teacher)
    assert client.post(reverse("quiz_create"), _data(topic)).status_code == 302
    quiz = Quiz.objects.get(title="Week 3 check")
    assert quiz.owner == teacher
    assert not quiz.published
    assert "Draft" in client.get(reverse("my_quizzes")).content.decode()
    response = client.post(reverse("quiz_edit", args=[quiz.pk]), _data(topic, published="on"))
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.published


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"question_count": "0"}, "question_count"),
        ({"question_count": "51"}, "question_count"),
        ({"title": ""}, "title"),
        ({"mix": "all"}, "mix"),
    ],
)
def test_bad_rules_are_refused_at_the_field(overrides, field):
    topic = _topic_with_a_question()
    response = client_for(make_teacher("owner")).post(reverse("quiz_create"), _data(topic, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Quiz.objects.exists()


def test_an_empty_quiz_cannot_be_published():
    topic = TopicFactory(published=True)
    response = client_for(make_teacher("owner")).post(reverse("quiz_create"), _data(topic, published="on"))
    assert response.status_code == 400
    assert "no questions to ask" in " ".join(response.context["form"].errors["published"])
    assert not Quiz.objects.exists()


def test_another_teachers_quiz_is_not_found_and_not_changed():
    topic = _topic_with_a_question()
    quiz = Quiz.objects.create(topic=topic, slug="theirs", title="Theirs", owner=make_teacher("them"))
    intruder = client_for(make_teacher("intruder"))
    assert intruder.get(reverse("quiz_edit", args=[quiz.pk])).status_code == 404
    assert intruder.post(reverse("quiz_edit", args=[quiz.pk]), _data(topic, title="Mine")).status_code == 404
    quiz.refresh_from_db()
    assert quiz.title == "Theirs"
    assert "Theirs" not in intruder.get(reverse("my_quizzes")).content.decode()


def test_students_cannot_make_quizzes():
    student = client_for(UserFactory())
    assert student.get(reverse("quiz_create")).status_code == 403
    assert student.get(reverse("my_quizzes")).status_code == 403
