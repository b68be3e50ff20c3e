"""Two dossiers stay apart: another dossier lends a distractor only of the same answer class.

The second dossier (tests/quiz/data/second_dossier.yaml, Ming China's northern frontier)
shares the tags "borders", "leaders" and "treaties" with the shipped North Korea–Russia
dossier, and has answers of the same kinds: a wall's length in km beside the Tumen's, a
Ming emperor beside Soviet leaders, a city, years of the fifteenth century.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from content.answers import fact_class
from content.models import Fact, Topic, normalise
from quiz.generation import generate_questions, questions_for_facts

pytestmark = pytest.mark.django_db

SECOND = Path(__file__).parent / "data" / "second_dossier.yaml"
SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"


@pytest.fixture
def two_dossiers():
    for path in (SHIPPED, SECOND):
        call_command("import_dossier", str(path), stdout=StringIO())
    return Topic.objects.get(slug="north-korea-russia"), Topic.objects.get(slug="ming-frontier")


def answers_of(topic: Topic) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = {}
    for fact in Fact.objects.filter(topic=topic):
        for value in (fact.answer, *(fact.aliases or [])):
            out.setdefault(normalise(value), []).append(fact)
    return out


def crossings(asked_on: Topic, lender: Topic, seeds: range) -> list[tuple[Fact, str, Fact]]:
    """(fact asked, option shown, the other dossier's fact it came from) over many quizzes."""
    lent = answers_of(lender)
    facts = {f.pk: f for f in Fact.objects.filter(topic=asked_on)}
    found = []
    for seed in seeds:
        for question in generate_questions(asked_on, count=10, seed=seed):
            if question.form not in ("multiple_choice", "true_false") or len(question.fact_ids) != 1:
                continue
            fact = facts[question.fact_ids[0]]
            texts = question.options if question.form == "multiple_choice" else [question.stem]
            for text in texts:
                bare = text.removesuffix(f" {fact.unit}") if fact.unit else text
                for other in lent.get(normalise(bare), []):
                    if normalise(bare) not in {normalise(d) for d in fact.distractors or []}:
                        found.append((fact, text, other))
    return found


def test_the_shipped_dossier_takes_nothing_of_another_class_from_the_second(two_dossiers):
    """Over 60 quizzes no option of the North Korea–Russia dossier comes from the Ming
    dossier unless it is of the same class: no wall length, no emperor, no 1421."""
    shipped, second = two_dossiers
    for fact, option, other in crossings(shipped, second, range(60)):
        assert fact_class(other) == fact_class(fact), f"{option!r} ({other.slug}) offered for {fact.slug}"


def test_a_river_lends_to_a_river_across_dossiers(two_dossiers):
    """The Ming dossier's Liao River question (no distractors of its own, one river sibling)
    is filled with rivers of the other dossier that share the "borders" tag, and only rivers."""
    shipped, second = two_dossiers
    liao = Fact.objects.get(topic=second, slug="liao-river")
    rivers = {normalise(f.answer) for f in Fact.objects.filter(answer_class="river")}
    seen = set()
    for seed in range(20):
        [question] = questions_for_facts([liao], seed=seed)
        assert all(normalise(option) in rivers for option in question.options), question.options
        seen |= {normalise(o) for o in question.options}
    assert seen & {normalise(f.answer) for f in Fact.objects.filter(topic=shipped, answer_class="river")}


def test_a_wall_length_never_stands_among_river_lengths(two_dossiers):
    """Both are in km and tagged "borders", but a wall is not a river: 8,850 km never shows
    beside the Tumen's 521 km, and no river length beside the wall's."""
    shipped, second = two_dossiers
    tumen = Fact.objects.get(topic=shipped, slug="tumen-length")
    wall = Fact.objects.get(topic=second, slug="wall-length")
    for seed in range(20):
        [asked_tumen, asked_wall] = questions_for_facts([tumen, wall], seed=seed)
        assert "8,850 km" not in asked_tumen.options
        assert "521 km" not in asked_wall.options
        assert "17 km" not in asked_wall.options


def test_the_strict_audit_passes_with_both_dossiers_imported(two_dossiers):
    out = StringIO()
    call_command("audit_questions", "--strict", stdout=out)
    assert out.getvalue().strip().endswith("Every fact can be asked.")
