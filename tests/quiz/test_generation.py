"""The question engine: stems, distractors, disputed facts, determinism, quizzes."""

import pytest

from quiz.generation import audit_facts, build_quiz, generate_questions
from tests.factories import QuizFactory

pytestmark = pytest.mark.django_db


def test_generate_questions_gives_the_count_asked(bank):
    """A 10-question request on a bank with enough facts gives 10 questions."""
    questions = generate_questions(bank.topic, count=10, seed=1)
    assert len(questions) == 10


def test_build_quiz_gives_the_length_asked(bank):
    """build_quiz on the topic's quiz returns `length` questions."""
    quiz = QuizFactory(topic=bank.topic)
    assert len(build_quiz(quiz, length=10, seed=5)) == 10


def test_audit_reports_organisations_with_too_few_siblings(bank):
    """Two organisation facts cannot give each other three distractors: both are reported."""
    slugs = {p.fact.slug for p in audit_facts(bank.topic) if "too few siblings" in p.reason}
    assert slugs == {"org-comintern", "org-un"}
