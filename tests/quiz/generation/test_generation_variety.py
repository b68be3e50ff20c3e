"""Coverage and variety: twenty quizzes reach nine facts in ten, two quizzes rarely repeat
each other, a signed-in player's next quiz prefers facts they have not seen, and the mix
of forms changes from quiz to quiz."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from itertools import combinations
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bench.data import create_bank
from content.models import Topic
from quiz.generation import audit_facts, build_quiz, generate_questions
from quiz.generation.assemble import TIMELINE_PER_TEN
from quiz.generation.audit import is_withheld
from quiz.models import Quiz

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"
FACT_FORMS = ("multiple_choice", "true_false", "recall")


@pytest.fixture
def shipped():
    call_command("import_dossier", str(SHIPPED), stdout=StringIO())
    return Topic.objects.get(slug="north-korea-russia")


def facts_asked(questions) -> set[int]:
    """The facts a quiz's fact questions ask (a timeline question's linked facts are not asked)."""
    return {q.fact_ids[0] for q in questions if q.form in FACT_FORMS}


def test_twenty_quizzes_of_ten_reach_nine_in_ten_askable_facts(shipped):
    askable = set(shipped.facts.values_list("pk", flat=True)) - {
        p.fact.pk for p in audit_facts(shipped) if is_withheld(p)
    }
    reached = set().union(*(facts_asked(generate_questions(shipped, count=10, seed=s)) for s in range(1, 21)))
    assert len(reached & askable) >= 0.9 * len(askable)


@pytest.mark.django_db(transaction=True)  # create_bank sets a PRAGMA, outside any transaction
def test_two_quizzes_share_at_most_three_in_ten_facts_on_a_large_dossier():
    """On a dossier of 1,000 facts, every pair of twenty seeds shares at most 30% of its facts."""
    bank = create_bank(1000, slug="variety-bank")
    topic = Topic.objects.get(slug=bank["topic"])
    asked = [facts_asked(generate_questions(topic, count=10, seed=s)) for s in range(1, 21)]
    for (i, a), (j, b) in combinations(enumerate(asked, start=1), 2):
        assert len(a & b) <= 0.3 * min(len(a), len(b)), f"seeds {i} and {j} share {len(a & b)} facts"


def test_on_the_shipped_dossier_quizzes_rarely_repeat_each_other(shipped):
    """110 facts and 20 quizzes of 10 cannot all stay apart (20 x 8 fact questions > 110), but
    on average two quizzes share under one fact in ten, and none is the other again."""
    asked = [facts_asked(generate_questions(shipped, count=10, seed=s)) for s in range(1, 21)]
    shares = [len(a & b) / min(len(a), len(b)) for a, b in combinations(asked, 2)]
    assert sum(shares) / len(shares) < 0.1
    assert max(shares) < 1


def test_a_signed_in_players_next_quiz_prefers_facts_they_have_not_seen(shipped, django_user_model):
    """The second attempt asks none of the facts of the first while unseen ones remain."""
    from quiz.models import Player
    from quiz.play.attempts import start_attempt

    user = django_user_model.objects.create_user("learner", password="x-Long-enough-42")
    quiz = Quiz.default_for(shipped)
    player = Player(user_id=user.pk, session_key="")
    first = start_attempt(quiz, length=10, player=player)
    second = start_attempt(quiz, length=10, player=player)
    seen = {i.fact_id for i in first.items.all() if i.form in FACT_FORMS}
    again = {i.fact_id for i in second.items.all() if i.form in FACT_FORMS}
    assert seen
    assert not seen & again


def test_the_mix_of_forms_varies_from_quiz_to_quiz(shipped):
    mixes = {
        tuple(sorted(Counter(q.form for q in generate_questions(shipped, count=10, seed=s)).items()))
        for s in range(1, 21)
    }
    assert len(mixes) >= 5


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_every_quiz_has_one_or_two_timeline_questions_in_ten(shipped, seed):
    questions = build_quiz(Quiz.default_for(shipped), length=10, seed=seed)
    timeline = sum(q.form in ("first", "order", "not_before") for q in questions)
    assert TIMELINE_PER_TEN[0] <= timeline <= TIMELINE_PER_TEN[1]
    assert len(questions) == 10
