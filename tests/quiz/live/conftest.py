"""Fixtures of the live game's tests: a quiz of written questions whose right answers are known."""

from __future__ import annotations

import pytest
from django.test import Client

from quiz.live import game as live
from quiz.models import Quiz
from tests.factories import ChoiceFactory, QuestionFactory, QuizFactory, TopicFactory, UserFactory

QUESTIONS = 5


def right_choice(position: int) -> int:
    """Question ``position`` (1-based) of :func:`live_quiz` is right at this index."""
    return (position - 1) % 4


@pytest.fixture
def live_quiz(transactional_db) -> Quiz:
    topic = TopicFactory(slug="live-topic", title="Live topic")
    quiz = QuizFactory(topic=topic, slug="live-quiz", title="Live quiz", mix=Quiz.Mix.WRITTEN, shuffle=False)
    for n in range(1, QUESTIONS + 1):
        question = QuestionFactory(topic=topic, stem=f"Live question {n}?", explanation=f"Explained {n}.")
        for i in range(4):
            ChoiceFactory(
                question=question, text=f"Q{n} option {i + 1}", order=i, is_correct=i == right_choice(n)
            )
    return quiz


@pytest.fixture
def host(transactional_db):
    return UserFactory(username="host")


@pytest.fixture
def game(live_quiz, host):
    return live.create_game(host.pk, live_quiz, length=5, scoring="speed", seconds=20)


def join_client(game, nickname: str, user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post("/join/", {"pin": game.pin, "nickname": nickname})
    assert response.status_code == 302, response.content
    return client
