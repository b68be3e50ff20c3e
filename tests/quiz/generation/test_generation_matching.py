"""Matching pairs ("Match each treaty to the year it was signed."): built only from settled,
sourced facts of one dossier, never with a key that could be read two ways nor an order
that gives it away; a modest share of quizzes asks one; never exported to Moodle.
(Playing one: tests/quiz/play/test_play_matching.py.)"""

from __future__ import annotations

import random
import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from content.models import Fact, TimelineEvent, Topic
from quiz.authoring.formats.export import dossier_bank
from quiz.authoring.formats.gift import write_gift
from quiz.authoring.formats.moodle_xml import write_moodle_xml
from quiz.generation import generate_questions, matching
from quiz.generation.lint import LintContext, lint_question
from quiz.models import Item
from tests.factories import (
    CitationFactory,
    FactFactory,
    SourceFactory,
    TimelineEventFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"
FACT_FORMS = ("multiple_choice", "true_false", "recall")


@pytest.fixture
def shipped():
    call_command("import_dossier", str(SHIPPED), stdout=StringIO())
    return Topic.objects.get(slug="north-korea-russia")


def matchings(topic: Topic, seeds: range = range(40), **kwargs) -> list:
    made = [matching.quiz_matching(topic.pk, random.Random(seed), **kwargs)[0] for seed in seeds]
    return [q for q in made if q is not None]


def pairs_of(question) -> list[tuple[str, str, int]]:
    """(item, value, fact id) for each left-hand item, as the key pairs them."""
    lefts, _ = matching.split(question.options)
    return [
        (left, question.options[index], fact_id)
        for left, index, fact_id in zip(lefts, question.answer, question.fact_ids, strict=True)
    ]


# Built from the dossier -------------------------------------------------------------------


def test_every_pair_is_a_settled_sourced_fact_of_the_dossier_and_the_key_is_unambiguous(shipped):
    questions = matchings(shipped)
    assert len(questions) == 40, "the shipped dossier has pairs enough for every seed"
    context = LintContext.for_topics([shipped])
    for question in questions:
        n = len(question.options) // 2
        assert n in matching.PAIRS
        assert sorted(question.answer) == list(range(n, 2 * n)), "each value is used once"
        years = [int(value) for _, value, _ in pairs_of(question)]
        assert len(set(years)) == n, "no two values alike"
        for left, value, fact_id in pairs_of(question):
            fact = Fact.objects.select_related("event").get(pk=fact_id)
            assert fact.topic_id == shipped.pk
            assert not fact.disputed
            assert fact.citations.exists()
            assert (fact.kind, fact.answer) == (Fact.Kind.YEAR, value)
            event = fact.event
            assert event is not None
            assert (event.title, event.year, event.is_period) == (left, int(value), False)
            assert not event.facts.filter(disputed=True, kind__in=["year", "date"]).exists()
            assert not re.search(rf"\b{value}\b", left)
        assert set(question.sources) <= set(shipped.sources.values_list("title", flat=True))
        assert question.passage_url.startswith(shipped.get_absolute_url())
        assert lint_question(question, context) == []


def test_treaties_are_asked_when_signed_and_other_events_when_they_happened(shipped):
    treaties = set(
        TimelineEvent.objects.filter(
            topic=shipped, title__in=Fact.objects.filter(kind="treaty").values("answer")
        ).values_list("title", flat=True)
    )
    stems = Counter()
    for question in matchings(shipped):
        stems[question.stem] += 1
        if question.stem == matching.STEM_TREATIES:
            assert {left for left, _, _ in pairs_of(question)} <= treaties
    assert set(stems) == {matching.STEM_TREATIES, matching.STEM_EVENTS}


def test_the_order_shown_tells_nothing_of_the_key(shipped):
    """Items and values are shuffled apart: the first item's value lands anywhere, and the
    values rarely sit in the items' order. Unshuffled, items go A–Z and values ascending."""
    questions = matchings(shipped, range(60))
    first = Counter(q.answer[0] - len(q.answer) for q in questions)
    assert len(first) >= 3
    in_order = sum(q.answer == sorted(q.answer) for q in questions)
    assert in_order < len(questions) / 3
    plain = matchings(shipped, range(10), shuffle=False)
    for question in plain:
        lefts, values = matching.split(question.options)
        assert lefts == sorted(lefts, key=str.casefold)
        assert values == sorted(values, key=int)


def small_topic(*dates: tuple[str, int]) -> Topic:
    """A dossier whose timeline events each have a settled, cited year fact."""
    topic = TopicFactory()
    source = SourceFactory(topic=topic)
    for title, year in dates:
        event = TimelineEventFactory(topic=topic, title=title, year=year)
        fact = FactFactory(topic=topic, kind="year", answer=str(year), event=event)
        CitationFactory(source=source, fact=fact)
    return topic


def test_disputed_values_dates_and_periods_are_never_paired():
    topic = small_topic(("A", 1901), ("B", 1902), ("C", 1903))
    disputed = FactFactory(
        topic=topic, kind="year", answer="1904", event=TimelineEventFactory(topic=topic, year=1904)
    )
    CitationFactory(fact=disputed, source=SourceFactory(topic=topic), value="1904")
    CitationFactory(fact=disputed, source=SourceFactory(topic=topic), value="1905")
    disputed.refresh_disputed()
    dated = TimelineEventFactory(topic=topic, title="Dated elsewhere", year=1906)
    FactFactory(topic=topic, kind="year", answer="1906", event=dated)
    Fact.objects.filter(pk=FactFactory(topic=topic, kind="date", answer="May 1906", event=dated).pk).update(
        disputed=True
    )
    span = TimelineEventFactory(topic=topic, title="A war", year=1907, end_year=1910)
    FactFactory(topic=topic, kind="year", answer="1907", event=span)
    assert disputed.disputed
    assert [p.left for p in matching.candidate_pairs(topic.pk)] == ["A", "B", "C"]


def test_two_events_of_one_year_are_never_matched_together():
    topic = small_topic(("A", 1900), ("B", 1900), ("C", 1910), ("D", 1920))
    questions = matchings(topic)
    assert questions
    for question in questions:
        assert {"A", "B"} - set(matching.split(question.options)[0]), "1900 would fit both"


def test_an_item_that_names_a_year_of_the_question_is_left_out():
    topic = small_topic(("The 1900 crisis", 1900), ("B", 1910), ("C", 1920), ("D", 1930))
    for question in matchings(topic):
        assert "The 1900 crisis" not in question.options


def test_too_few_pairs_make_no_question():
    topic = small_topic(("A", 1900), ("B", 1910))
    assert matching.quiz_matching(topic.pk, random.Random(1)) == (None, [])


def test_a_tag_narrows_the_pairs(shipped):
    for question in matchings(shipped, tags=["treaties"]):
        for _, _, fact_id in pairs_of(question):
            assert Fact.objects.filter(pk=fact_id, tags__slug="treaties").exists()


# In a quiz ------------------------------------------------------------------------------


def test_some_quizzes_ask_one_matching_question_and_nothing_it_pairs_again(shipped):
    with_matching = 0
    for seed in range(40):
        questions = generate_questions(shipped, count=10, seed=seed)
        assert len(questions) == 10
        matched = [q for q in questions if q.form == Item.Form.MATCH]
        assert len(matched) <= 1
        if not matched:
            continue
        with_matching += 1
        events = set(Fact.objects.filter(pk__in=matched[0].fact_ids).values_list("event_id", flat=True))
        asked = [q.fact_ids[0] for q in questions if q.form in FACT_FORMS]
        assert not Fact.objects.filter(pk__in=asked, event_id__in=events).exists()
        timeline = {
            title for q in questions if q.form in ("first", "order", "not_before") for title in q.options
        }
        assert not timeline & set(matching.split(matched[0].options)[0])
    assert 4 <= with_matching <= 24, "a modest share of quizzes"


def test_generate_questions_prints_each_pair(shipped):
    seed = next(
        s for s in range(100) if any(q.form == "match" for q in generate_questions(shipped, count=10, seed=s))
    )
    out = StringIO()
    call_command(
        "generate_questions", "--topic", shipped.slug, "--seed", str(seed), stdout=out, stderr=StringIO()
    )
    (question,) = [q for q in generate_questions(shipped, count=10, seed=seed) if q.form == "match"]
    text = out.getvalue()
    assert f"[match] {question.stem}" in text
    for left, value, _ in pairs_of(question):
        assert f"   {left} → {value}  (" in text


def test_a_short_quiz_asks_none(shipped):
    for seed in range(30):
        assert all(q.form != Item.Form.MATCH for q in generate_questions(shipped, count=4, seed=seed))


# Exports ----------------------------------------------------------------------------------


def test_the_moodle_export_leaves_matching_out_and_says_why_if_handed_one(shipped):
    """The exported bank is one multiple-choice question per fact: no matching (our matching
    scores all or nothing, Moodle's gives partial credit); the writers refuse one clearly."""
    assert all(q.form == Item.Form.MULTIPLE_CHOICE for q in dossier_bank(shipped).questions)
    question = matchings(shipped, range(1))[0]
    with pytest.raises(ValueError, match="matching question cannot be written as GIFT"):
        write_gift([question])
    with pytest.raises(ValueError, match="matching question cannot be written as Moodle XML"):
        write_moodle_xml([("", [question])])


def test_values_that_overlap_clash():
    assert matching.clash("1689", "1689")
    assert not matching.clash("1689", "1690")
    assert matching.clash("1985 to 1991", "1991 to 1999")
    assert not matching.clash("1985 to 1991", "1992 to 1999")
