"""Owners in the admin: a teacher changes and deletes only their own questions and
quizzes; others' published questions are theirs to see and use, not to change; the site's
own quizzes (no owner) are the superusers'."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.models import Question, Quiz
from tests.factories import ChoiceFactory, QuestionFactory, TopicFactory, UserFactory

from .conftest import client_for, make_teacher

pytestmark = pytest.mark.django_db


def _staff_teacher(name):
    teacher = make_teacher(name)
    teacher.is_staff = True
    teacher.save()
    return teacher


def _question(author):
    question = QuestionFactory(topic=TopicFactory(), author=author, stem="Whose question?")
    ChoiceFactory(question=question, text="Yes", is_correct=True)
    ChoiceFactory(question=question, text="No")
    return question


def test_a_teacher_cannot_change_or_delete_another_teachers_question():
    owner, other = _staff_teacher("owner"), _staff_teacher("other")
    question = _question(owner)
    client = client_for(other)
    change = reverse("admin:quiz_question_change", args=[question.pk])
    page = client.get(change)
    assert page.status_code == 200  # seen (to use it), read-only
    assert 'name="stem"' not in page.content.decode()
    assert client.post(change, {"stem": "Hijacked"}).status_code == 403
    assert (
        client.post(reverse("admin:quiz_question_delete", args=[question.pk]), {"post": "yes"}).status_code
        == 403
    )
    question.refresh_from_db()
    assert question.stem == "Whose question?"


def test_a_teacher_can_change_their_own_question():
    owner = _staff_teacher("owner")
    page = client_for(owner).get(reverse("admin:quiz_question_change", args=[_question(owner).pk]))
    assert 'name="stem"' in page.content.decode()


def test_the_sites_default_quiz_is_for_superusers():
    teacher = _staff_teacher("teacher")
    quiz = Quiz.default_for(TopicFactory())
    change = reverse("admin:quiz_quiz_change", args=[quiz.pk])
    assert client_for(teacher).post(change, {"title": "Mine now"}).status_code == 403
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert 'name="title"' in client_for(admin).get(change).content.decode()


def test_a_teachers_own_quiz_is_theirs_to_change():
    teacher = _staff_teacher("teacher")
    quiz = Quiz.objects.create(topic=TopicFactory(), slug="mine", title="Mine", owner=teacher)
    page = client_for(teacher).get(reverse("admin:quiz_quiz_change", args=[quiz.pk]))
    assert 'name="title"' in page.content.decode()
    other = _staff_teacher("other")
    assert (
        client_for(other).post(reverse("admin:quiz_quiz_delete", args=[quiz.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert Question.objects.count() == 0
