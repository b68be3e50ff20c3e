"""Properties of every question generated from the whole shipped dossier, over many seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from content.answers import parse_partial_date
from content.models import Fact, Topic, normalise, numeric_value
from quiz.generation import audit_facts, build_quiz, generate_questions, questions_for_facts
from quiz.generation.distractors import ValueSet
from quiz.generation.questions import comparable
from quiz.models import Quiz

pytestmark = pytest.mark.django_db

DOSSIER = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"
# The dossier is imported once per test function and only read: examples may share it.
examples = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
seeds = st.integers(min_value=0, max_value=2**63 - 1)


@pytest.fixture
def dossier() -> Topic:
    call_command("import_dossier", str(DOSSIER), verbosity=0)
    return Topic.objects.get(slug="north-korea-russia")


def cited_by(fact: Fact) -> ValueSet:
    values = ValueSet(fact.kind)
    values.add(fact.answer, *fact.aliases, *(c.value for c in fact.citations.all() if c.value))
    return values


def check(question, facts: dict[int, Fact], kinds_by_name: dict[str, set[str]], events: dict) -> None:
    """Every rule a generated question must keep, asserted."""
    options = question.options
    assert len({normalise(o) for o in options}) == len(options), "options mean the same thing"
    assert len(question.notes) == len(options)
    assert question.explanation
    assert question.sources
    if question.form in ("first", "order", "not_before"):
        shown = [events[title] for title in options]
        assert all(comparable(a, b) for i, a in enumerate(shown) for b in shown[i + 1 :])
        keys = [e.sort_key for e in shown]
        if question.form == "first":
            assert keys[question.answer] == min(keys)
        elif question.form == "not_before":
            year = int(question.stem.rstrip("?").rsplit(" ", 1)[1])
            assert shown[question.answer].year >= year
            assert all((e.end_year or e.year) < year for i, e in enumerate(shown) if i != question.answer)
        else:
            assert sorted(question.answer) == list(range(len(options)))
            assert [keys[i] for i in question.answer] == sorted(keys)
        return
    if question.form == "match":
        n = len(options) // 2
        assert sorted(question.answer) == list(range(n, 2 * n)), "each value is matched once"
        assert len(question.fact_ids) == n
        for left, index, fact_id in zip(options, question.answer, question.fact_ids, strict=False):
            fact = facts[fact_id]
            assert not fact.disputed, "a pair would state a disputed fact as settled"
            assert cited_by(fact).contains(options[index])
            assert events[left].year == int(options[index]) == int(fact.answer)
        return
    [fact_id] = question.fact_ids
    fact = facts[fact_id]
    if question.form == "recall":
        assert not fact.disputed, "typed recall would ask a disputed fact as settled"
        assert question.answer == 0
        assert cited_by(fact).contains(options[0].removesuffix(f" {fact.unit}") if fact.unit else options[0])
        return
    if question.form == "true_false":
        assert options == ["True", "False"]
        assert not fact.disputed, "true/false would state a disputed fact as settled"
        if question.answer == 0:
            assert question.stem == f"True or false: {fact.statement}"
        return
    assert question.form == "multiple_choice"
    assert isinstance(question.answer, int)
    assert 0 <= question.answer < len(options) == 4
    cited = ValueSet(fact.kind)
    cited.add(fact.answer, *fact.aliases, *(c.value for c in fact.citations.all() if c.value))
    bare = [o.removesuffix(f" {fact.unit}") if fact.unit else o for o in options]
    assert cited.contains(bare[question.answer])
    written = {normalise(d) for d in fact.distractors}
    for i, value in enumerate(bare):
        if i == question.answer:
            continue
        assert not cited.contains(value), f"{value!r} is a value a source gives for {fact.slug}"
        if fact.kind == Fact.Kind.TEXT:
            assert normalise(value) in written, f"{value!r} is not one of {fact.slug}'s own distractors"
        elif fact.kind in Fact.NUMERIC_KINDS:
            assert numeric_value(value) is not None
            assert numeric_value(value) >= 0
        elif fact.kind == Fact.Kind.DATE:
            made = parse_partial_date(value)
            assert made is not None
            assert made.precision == parse_partial_date(fact.answer).precision
        elif normalise(value) not in written:
            assert fact.kind in kinds_by_name.get(normalise(value), ()), f"{value!r} is not a {fact.kind}"
    if fact.unit:
        assert all(o.endswith(f" {fact.unit}") for o in options)
    if fact.disputed:
        assert question.stem.startswith("According to "), "a disputed fact asked as settled"
        title = question.stem.removeprefix("According to ").split(", ")[0]
        given_by_title = {
            normalise(c.value or fact.answer) for c in fact.citations.all() if title == c.source.citation_name
        }
        assert normalise(bare[question.answer]) in given_by_title


def bank_maps(topic: Topic):
    facts = {f.pk: f for f in Fact.objects.filter(topic=topic).prefetch_related("citations__source")}
    kinds_by_name: dict[str, set[str]] = {}
    for fact in facts.values():
        for name in fact.names():
            kinds_by_name.setdefault(name, set()).add(fact.kind)
    events = {e.title: e for e in topic.events.all()}
    assert len(events) == topic.events.count(), "event titles are unique in the dossier"
    return facts, kinds_by_name, events


def test_every_generated_question_keeps_the_rules(dossier):
    """For many seeds and lengths, every generated question passes every check."""
    maps = bank_maps(dossier)

    @examples
    @given(seed=seeds, count=st.sampled_from([5, 10, 20]))
    def run(seed, count):
        questions = generate_questions(dossier, count=count, seed=seed)
        assert len(questions) == count
        for question in questions:
            check(question, *maps)

    run()


def test_every_quiz_keeps_the_rules_and_its_seed(dossier):
    """The default quiz, shuffled or not: every question passes, and a seed replays exactly."""
    maps = bank_maps(dossier)
    quiz = Quiz.default_for(dossier)

    @examples
    @given(seed=seeds, shuffle=st.booleans(), tag=st.sampled_from([None, "treaties", "borders", "famine"]))
    def run(seed, shuffle, tag):
        quiz.shuffle = shuffle
        questions = build_quiz(quiz, length=10, seed=seed, tag=tag)
        assert questions == build_quiz(quiz, length=10, seed=seed, tag=tag)
        assert questions, "every tag of the dossier yields questions"
        for question in questions:
            check(question, *maps)
            if tag:
                assert tag in question.tags

    run()


def test_text_questions_offer_only_the_answer_and_the_authors_distractors(dossier):
    """Every text fact of the shipped dossier is asked, for any seed, with the answer (or, when
    disputed, the quoted source's value) and three of its author's distractors: never another
    fact's answer."""
    text_facts = list(
        Fact.objects.filter(topic=dossier, kind=Fact.Kind.TEXT).prefetch_related("citations__source")
    )
    assert len(text_facts) >= 20
    assert not [p for p in audit_facts(dossier) if p.fact.kind == Fact.Kind.TEXT]
    by_id = {f.pk: f for f in text_facts}

    @examples
    @given(seed=seeds)
    def run(seed):
        questions = questions_for_facts(list(by_id), seed=seed)
        assert [q.fact_ids for q in questions] == [[pk] for pk in by_id]
        for question in questions:
            fact = by_id[question.fact_ids[0]]
            right = {normalise(v) for v in [fact.answer, *(c.value for c in fact.citations.all())]}
            written = {normalise(d) for d in fact.distractors}
            [answer] = question.correct_options
            assert normalise(answer) in right
            wrong = [o for i, o in enumerate(question.options) if i != question.answer]
            assert len(wrong) == 3
            assert {normalise(o) for o in wrong} <= written
            assert [n for i, n in enumerate(question.notes) if i != question.answer] == ["", "", ""]

    run()


def test_every_askable_fact_reviews_cleanly(dossier):
    """questions_for_facts over the whole dossier: every question passes, disputed ones are scoped."""
    facts, kinds_by_name, events = bank_maps(dossier)
    ordered = sorted(facts)

    @hypothesis_settings(
        max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(seed=seeds)
    def run(seed):
        questions = questions_for_facts(ordered, seed=seed)
        assert len(questions) >= len(ordered) - 5
        for question in questions:
            check(question, facts, kinds_by_name, events)

    run()
