"""The question linter: one bad question of each defect class, each caught; a sound one passes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from content.models import Fact
from quiz.generation.lint import DEFECTS, LintContext, lint_question
from quiz.generation.types import GeneratedQuestion
from tests.factories import CitationFactory, FactFactory, SourceFactory, TimelineEventFactory, TopicFactory

pytestmark = pytest.mark.django_db


def question(fact: Fact | None, stem: str, options: list[str], answer, form: str = "multiple_choice"):
    return GeneratedQuestion(
        form=form,
        stem=stem,
        options=options,
        answer=answer,
        explanation="",
        notes=[""] * len(options),
        fact_ids=[fact.pk] if fact else [],
    )


def defects(q: GeneratedQuestion, topic) -> set[str]:
    return {f.defect for f in lint_question(q, LintContext.for_topics([topic]))}


@pytest.fixture
def topic():
    return TopicFactory(slug="lint")


def fact(topic, kind, answer, **fields):
    made = FactFactory(topic=topic, kind=kind, answer=answer, **fields)
    CitationFactory(source=SourceFactory(topic=topic), fact=made, value=answer)
    return made


def test_a_sound_question_has_no_finding(topic):
    river = fact(topic, "place", "Argun River", answer_class="river", distractors=["Ussuri River"])
    fact(topic, "place", "Yalu River", answer_class="river")
    q = question(river, "Which river marked the border?", ["Argun River", "Yalu River", "Ussuri River"], 0)
    assert defects(q, topic) == set()


def test_wrong_class_an_island_for_a_river_and_a_full_date_for_a_month(topic):
    river = fact(topic, "place", "Argun River", answer_class="river")
    fact(topic, "place", "Noktundo", answer_class="island")
    assert defects(question(river, "What marked the border?", ["Argun River", "Noktundo"], 0), topic) == {
        "wrong-class"
    }
    month = fact(topic, "date", "July 2000", year=2000)
    q = question(month, "In which month did they meet?", ["July 2000", "10 January 2003", "March 2000"], 0)
    assert "wrong-class" in defects(q, topic)


def test_outside_era_a_year_after_gorbachev_left_office(topic):
    cuts = fact(topic, "year", "1985", year=1985, era_start=1985, era_end=1991)
    q = question(cuts, "In which year did Gorbachev call for cuts?", ["1985", "1987", "2007"], 0)
    assert defects(q, topic) == {"outside-era"}


def test_echo_the_stem_names_the_answer(topic):
    armistice = fact(topic, "treaty", "Korean War armistice", answer_class="armistice")
    q = question(
        armistice,
        "Which agreement ended the fighting of the Korean War?",
        ["Korean War armistice", "Treaty of Taipei", "Geneva Accords"],
        0,
    )
    assert defects(q, topic) == {"echo"}


def test_echo_the_stem_names_a_distractor_and_so_rules_it_out(topic):
    begun = fact(topic, "year", "2000", year=2000, era_start=1995, era_end=2010)
    q = question(
        begun,
        "In which year did they begin the demarcation they completed in 2008?",
        ["2000", "2008", "2003", "1996"],
        0,
    )
    assert defects(q, topic) == {"echo"}


def test_a_multiple_choice_question_never_offers_a_number_its_stem_names(topic):
    """The generator keeps the stem's own numbers out of the options (here the only sibling
    years are 2008, named in the stem, and two others)."""
    from random import Random

    from quiz.generation.bank import candidate_pools, pool_key
    from quiz.generation.questions import multiple_choice

    begun = fact(
        topic,
        "year",
        "2000",
        year=2000,
        era_start=1995,
        era_end=2010,
        stem="In which year did they begin the demarcation they completed in 2008?",
    )
    for answer in ("2008", "2003", "2006", "1998"):
        fact(topic, "year", answer, year=int(answer), era_start=1995, era_end=2010)
    for seed in range(20):
        rng = Random(seed)
        pool = candidate_pools([pool_key(begun)], [], rng)[pool_key(begun)]
        q = multiple_choice(begun, pool, rng)
        assert "2008" in q.stem
        assert "2008" not in q.options


def test_grammar_only_one_option_fits(topic):
    rivers = fact(topic, "place", "Ussuri and Amur rivers", answer_class="river-pair")
    q = question(
        rivers, "Along which waters did Russia gain land?", ["Ussuri and Amur rivers", "Yalu", "Ob"], 0
    )
    assert defects(q, topic) == {"grammar"}


def test_disputed_asked_as_settled_and_another_sources_value_in_play(topic):
    length = fact(topic, "number", "17", unit="km", dispute_note="17 or 17.5")
    CitationFactory(source=SourceFactory(topic=topic), fact=length, value="17.5")
    Fact.objects.filter(pk=length.pk).update(disputed=True)
    q = question(length, "How long is the border?", ["17 km", "17.5 km", "20 km"], 0)
    found = lint_question(q, LintContext.for_topics([topic]))
    assert {f.defect for f in found} == {"disputed"}
    assert len(found) == 2


def test_true_elsewhere_an_option_that_answers_the_same_question(topic):
    first = fact(topic, "person", "Kim Il-sung", stem="Who led North Korea?", answer_class="korean-leader")
    fact(topic, "person", "Kim Jong-il", stem="Who led North Korea?", answer_class="korean-leader")
    q = question(first, "Who led North Korea?", ["Kim Il-sung", "Kim Jong-il"], 0)
    assert defects(q, topic) == {"true-elsewhere"}


def test_true_elsewhere_a_false_statement_that_is_another_facts_truth(topic):
    aigun = fact(topic, "year", "1858", statement="The treaty was signed in 1858.")
    fact(topic, "year", "1860", statement="The treaty was signed in 1860.")
    q = question(aigun, "True or false: The treaty was signed in 1860.", ["True", "False"], 1, "true_false")
    q.notes[0] = "Not 1860 but 1858."
    assert defects(q, topic) == {"true-elsewhere"}


def test_span_a_period_ordered_beside_an_event_inside_it(topic):
    occupation = TimelineEventFactory(topic=topic, title="Japan occupies Korea", year=1910, end_year=1945)
    TimelineEventFactory(topic=topic, title="March First Movement", year=1919)
    TimelineEventFactory(topic=topic, title="Korean War", year=1950)
    q = question(
        None,
        "Put these events in order.",
        ["Korean War", "March First Movement", occupation.title],
        [2, 1, 0],
        "order",
    )
    assert defects(q, topic) == {"span"}


def test_disputed_an_event_whose_date_the_sources_dispute_in_an_order(topic):
    treaty = TimelineEventFactory(topic=topic, title="Treaty of 2000", year=2000, month=2)
    TimelineEventFactory(topic=topic, title="Summit", year=2001)
    dated = fact(topic, "date", "February 2000", event=treaty)
    Fact.objects.filter(pk=dated.pk).update(disputed=True)
    q = question(None, "Which of these happened first?", ["Summit", "Treaty of 2000"], 1, "first")
    assert defects(q, topic) == {"disputed"}


@pytest.mark.parametrize(
    "stem",
    [
        "True or false: North Korea left the treaty in 10 January 2003.",
        "True or false: Putin and Kim met on July 2000.",
        "True or false: The bridge became the only land link between the two countries.",
        "True or false: The Tumen River forms a boundary between 1 countries.",
    ],
)
def test_wording_prepositions_unnamed_countries_and_plurals(topic, stem):
    q = question(None, stem, ["True", "False"], 0, "true_false")
    assert defects(q, topic) == {"wording"}


def test_wording_a_source_named_by_its_catalogue_title(topic):
    source = SourceFactory(
        topic=topic, title='Trivia dossier page, "Relations"', short_name="the trivia page"
    )
    year = fact(topic, "year", "2000", year=2000)
    CitationFactory(source=source, fact=year, value="2000")
    q = question(year, 'According to Trivia dossier page, "Relations", in which year?', ["2000", "2001"], 0)
    assert defects(q, topic) == {"wording"}


def matching(facts: list[Fact], lefts: list[str], values: list[str], key: list[int]) -> GeneratedQuestion:
    return GeneratedQuestion(
        form="match",
        stem="Match each event to the year it happened.",
        options=[*lefts, *values],
        answer=key,
        explanation="",
        notes=[""] * (2 * len(lefts)),
        fact_ids=[f.pk for f in facts],
    )


def dated_fact(topic, title: str, year: int, **fields) -> Fact:
    event = TimelineEventFactory(topic=topic, title=title, year=year, end_year=fields.pop("end_year", None))
    return fact(topic, "year", str(year), event=event, **fields)


def test_a_sound_matching_question_has_no_finding(topic):
    facts = [dated_fact(topic, t, y) for t, y in [("Treaty A", 1689), ("Treaty B", 1858), ("Treaty C", 1860)]]
    q = matching(facts, ["Treaty A", "Treaty B", "Treaty C"], ["1860", "1689", "1858"], [4, 5, 3])
    assert defects(q, topic) == set()


def test_ambiguous_two_equal_values_a_wrong_key_and_a_second_date(topic):
    facts = [dated_fact(topic, t, y) for t, y in [("A", 1900), ("B", 1900), ("C", 1910)]]
    q = matching(facts, ["A", "B", "C"], ["1900", "1900", "1910"], [3, 4, 5])
    assert defects(q, topic) == {"ambiguous"}
    facts = [dated_fact(topic, t, y) for t, y in [("D", 1920), ("E", 1930), ("F", 1940)]]
    wrong_key = matching(facts, ["D", "E", "F"], ["1920", "1930", "1940"], [4, 3, 5])
    assert defects(wrong_key, topic) == {"ambiguous"}
    fact(topic, "year", "1921", event=facts[0].event)  # a second fact dates D otherwise
    right_key = matching(facts, ["D", "E", "F"], ["1920", "1930", "1940"], [3, 4, 5])
    assert defects(right_key, topic) == {"ambiguous"}


def test_matching_disputed_span_and_echo(topic):
    facts = [dated_fact(topic, t, y) for t, y in [("G", 1950), ("H", 1960), ("I", 1970)]]
    Fact.objects.filter(pk=facts[0].pk).update(disputed=True)
    q = matching(facts, ["G", "H", "I"], ["1950", "1960", "1970"], [3, 4, 5])
    assert defects(q, topic) == {"disputed"}
    facts = [dated_fact(topic, "War", 1980, end_year=1985), dated_fact(topic, "The 1990 talks", 1990)]
    facts.append(dated_fact(topic, "K", 2000))
    q = matching(facts, ["War", "The 1990 talks", "K"], ["1980", "1990", "2000"], [3, 4, 5])
    assert defects(q, topic) == {"span", "echo"}


def test_every_defect_class_has_a_test():
    """Each class in DEFECTS is exercised above (a new class needs its bad question)."""
    tested = {
        "wrong-class",
        "outside-era",
        "echo",
        "grammar",
        "disputed",
        "true-elsewhere",
        "span",
        "wording",
        "ambiguous",
    }
    assert tested == set(DEFECTS)


def test_strict_audit_fails_on_a_defect_and_passes_once_it_is_fixed(topic):
    """audit_questions --strict exits 1 on a generated question's defect, 0 once fixed."""
    cuts = fact(
        topic, "year", "1985", year=1985, era_start=1985, era_end=1991, distractors=["2007", "1987", "1988"]
    )
    Fact.objects.filter(pk=cuts.pk).update(statement="Gorbachev called for cuts in 1985.")
    with pytest.raises(CommandError) as raised:
        call_command("audit_questions", "--topic", "lint", "--strict", stdout=StringIO())
    assert raised.value.returncode == 1
    Fact.objects.filter(pk=cuts.pk).update(distractors=["1986", "1987", "1988"])
    out = StringIO()
    call_command("audit_questions", "--topic", "lint", "--strict", stdout=out)
    assert out.getvalue().strip().endswith("Every fact can be asked.")
