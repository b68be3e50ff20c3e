"""A teacher's question with a wrong key, and students who answered it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from quiz.models import TEACHERS_GROUP, Attempt, Item, Player, Question, Quiz
from quiz.play import attempts
from quiz.reports import versions
from tests.factories import ChoiceFactory, QuestionFactory, TopicFactory, UserFactory

HX = {"HTTP_HX_REQUEST": "true"}
RIGHT, WRONG_KEY = "Treaty of Nerchinsk", "Treaty of Aigun"


@dataclass
class Loop:
    teacher: object
    question: Question
    quiz: Quiz


def teacher_user(username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    return user


@pytest.fixture
def loop(db) -> Loop:
    """A question whose key is wrong (Aigun is marked right; Nerchinsk is) in a quiz of one."""
    teacher = teacher_user("teacher")
    topic = TopicFactory()
    question = QuestionFactory(topic=topic, author=teacher, stem="Which treaty fixed the border in 1689?")
    for order, (text, correct) in enumerate([(RIGHT, False), (WRONG_KEY, True), ("Treaty of Peking", False)]):
        ChoiceFactory(question=question, text=text, is_correct=correct, order=order)
    quiz = Quiz.objects.create(
        topic=topic, slug="border", title="Border", published=True, mix=Quiz.Mix.WRITTEN, question_count=1
    )
    return Loop(teacher=teacher, question=question, quiz=quiz)


def play(user, quiz: Quiz, answer: str) -> tuple[Attempt, Client]:
    """``user`` plays the one-question quiz, choosing ``answer``; their signed-in client."""
    client = Client()
    client.force_login(user)
    attempt = attempts.start_attempt(quiz, length=1, player=Player(user_id=user.pk, session_key=""))
    item = attempt.items.get()
    url = reverse("attempt_question", args=[attempt.pk, 1])
    client.get(url)
    assert client.post(url, {"choice": str(item.options.index(answer))}).status_code == 302
    attempt.refresh_from_db()
    return attempt, client


def item_of(attempt: Attempt) -> Item:
    return attempt.items.get()


def fix_key(question: Question) -> None:
    """What the teacher's admin edit does: Nerchinsk becomes the right choice."""
    question.choices.update(is_correct=False)
    question.choices.filter(text=RIGHT).update(is_correct=True)
    versions.after_edit(question, content_changed=True)
