"""Rules that live on the quiz models, whoever saves them (admin, shell, importer)."""

import pytest
from django.core.exceptions import ValidationError

from quiz.models import Quiz
from tests.factories import QuizFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("count", "ok"), [(0, False), (1, True), (50, True), (51, False)])
def test_a_quiz_asks_between_1_and_50_questions(count, ok):
    quiz = QuizFactory.build(topic=TopicFactory(), question_count=count, published=False)
    if ok:
        quiz.full_clean()
    else:
        with pytest.raises(ValidationError, match="between 1 and 50"):
            quiz.full_clean()


@pytest.mark.parametrize(("seconds", "ok"), [(None, True), (9, False), (10, True), (600, True)])
def test_a_time_limit_is_empty_or_at_least_ten_seconds(seconds, ok):
    quiz = QuizFactory.build(topic=TopicFactory(), time_limit_seconds=seconds, published=False)
    if ok:
        quiz.full_clean()
    else:
        with pytest.raises(ValidationError, match="at least 10 seconds"):
            quiz.full_clean()


def test_every_dossier_has_exactly_one_default_quiz_created_on_demand():
    topic = TopicFactory()
    first = Quiz.default_for(topic)
    second = Quiz.default_for(topic)
    assert first.pk == second.pk
    assert first.published
    assert first.is_default
    assert Quiz.objects.filter(topic=topic, is_default=True).count() == 1


def test_a_quiz_lives_at_its_own_page():
    quiz = QuizFactory(slug="treaties-sprint")
    assert quiz.get_absolute_url() == "/quizzes/treaties-sprint/"
