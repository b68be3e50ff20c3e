"""A teacher, their class of students, and a quiz of written questions to assign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from content.models import Topic
from quiz.assignments.models import Assignment
from quiz.models import TEACHERS_GROUP, Classroom, Quiz
from tests.factories import (
    ChoiceFactory,
    ClassroomFactory,
    MembershipFactory,
    QuestionFactory,
    QuizFactory,
    TopicFactory,
    UserFactory,
)


def make_teacher(username: str) -> User:
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def written_quiz(topic: Topic, count: int = 3, **fields: object) -> Quiz:
    """A quiz of ``count`` written questions, asked in order, options as written: the
    right option of question n is "Right n" (first), the others "Wrong n a/b"."""
    for n in range(1, count + 1):
        question = QuestionFactory(topic=topic, stem=f"Question {n}?")
        ChoiceFactory(question=question, text=f"Right {n}", is_correct=True, order=0)
        ChoiceFactory(question=question, text=f"Wrong {n} a", order=1)
        ChoiceFactory(question=question, text=f"Wrong {n} b", order=2)
    defaults = {
        "topic": topic,
        "mix": Quiz.Mix.WRITTEN,
        "question_count": count,
        "allow_length_choice": False,
        "shuffle": False,
    }
    return QuizFactory(**{**defaults, **fields})


@dataclass
class School:
    teacher: User
    classroom: Classroom
    students: list[User]
    quiz: Quiz

    def assign(self, **fields: object) -> Assignment:
        now = timezone.now()
        defaults = {
            "classroom": self.classroom,
            "quiz": self.quiz,
            "opens_at": now - timedelta(hours=1),
            "due_at": now + timedelta(days=2),
        }
        return Assignment.objects.create(**{**defaults, **fields})


@pytest.fixture
def school(db: None) -> School:
    teacher = make_teacher("ms-teacher")
    classroom = ClassroomFactory(teacher=teacher, name="Year 9")
    students = [UserFactory(username=f"student{n}") for n in (1, 2)]
    for student in students:
        MembershipFactory(classroom=classroom, student=student)
    return School(teacher, classroom, students, written_quiz(TopicFactory()))
