"""The question engine: stems, distractors, disputed facts, determinism, quizzes."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import Citation, Fact, normalise, numeric_value
from quiz.generation import (
    NotAskable,
    audit_facts,
    build_quiz,
    generate_questions,
    question_from_written,
    questions_for_facts,
)
from quiz.generation.distractors import near_numbers, near_years
from quiz.generation.questions import according_to, comparable, fact_stem, multiple_choice, true_false
from quiz.models import Question, Quiz
from tests.factories import (
    ChoiceFactory,
    CitationFactory,
    FactFactory,
    QuestionFactory,
    QuizFactory,
    SourceFactory,
    TagFactory,
    TimelineEventFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SEEDS = range(12)
#: build_quiz for mix=both on a bank of three answer kinds with a timeline, when another topic
#: shares a tag (measured: 18; text facts read no distractor pool, so they add no query).
QUERY_BUDGET = 18
#: The same quiz when no other topic shares a tag: no cross-topic pool query at all.
SINGLE_TOPIC_BUDGET = QUERY_BUDGET - 2


def mc(fact, seed=0, shuffle=True):
    """A multiple-choice question on ``fact`` with its topic's facts of that kind as the pool."""
    from quiz.generation.bank import candidate_pools, load_facts, pool_key

    [loaded] = load_facts([fact.pk])
    rng = random.Random(seed)
    pools = candidate_pools([pool_key(loaded)], [t.pk for t in loaded.tags.all()], rng)
    return multiple_choice(loaded, pools.get(pool_key(loaded), []), rng, shuffle=shuffle)


def tf(fact, seed=0):
    from quiz.generation.bank import candidate_pools, load_facts, pool_key

    [loaded] = load_facts([fact.pk])
    rng = random.Random(seed)
    pools = candidate_pools([pool_key(loaded)], [], rng)
    return true_false(loaded, pools[pool_key(loaded)], rng)


def right(question):
    return question.options[question.answer]


def distractors(question):
    return [o for i, o in enumerate(question.options) if i != question.answer]


# --- stems ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "subject", "unit", "expected"),
    [
        ("year", "did Russia and Qing China sign the Treaty of Nerchinsk", "",
         "In which year did Russia and Qing China sign the Treaty of Nerchinsk?"),
        ("date", "did the Korean War begin", "", "On what date did the Korean War begin?"),
        ("number", "long is the border", "km", "How many km long is the border?"),
        ("person", "led North Korea from 1948", "", "Who led North Korea from 1948?"),
        ("place", "is the Friendship Bridge", "", "Where is the Friendship Bridge?"),
        ("organisation", "sanctioned North Korea", "", "Which organisation sanctioned North Korea?"),
        ("treaty", "ended the war", "", "Which treaty or agreement ended the war?"),
        ("event", "began in 1950", "", "Which event began in 1950?"),
    ],
)  # fmt: skip
def test_stem_reads_naturally_for_each_kind(kind, subject, unit, expected):
    """Without a written stem, the kind's template wraps the subject (docs/dossier-format.md)."""
    assert fact_stem(Fact(kind=kind, subject=subject, unit=unit)) == expected


def test_written_stem_overrides_the_template():
    """A fact's own `stem` is used as written."""
    fact = Fact(kind="year", subject="whatever", stem="When did the border treaty come into force?")
    assert fact_stem(fact) == "When did the border treaty come into force?"


def test_text_fact_without_stem_cannot_be_asked():
    """Kind `text` has no template: it needs a stem."""
    with pytest.raises(NotAskable, match="needs a written stem"):
        fact_stem(Fact(kind="text", subject="the motto"))


def test_according_to_lowercases_only_a_question_word():
    """ "According to S, in which year ...?", but a stem opening with a name keeps its capital."""
    assert according_to("Src", "In which year?") == "According to Src, in which year?"
    assert (
        according_to("Src", "Kim Il-sung was born where?") == "According to Src, Kim Il-sung was born where?"
    )


# --- distractors --------------------------------------------------------------------------


def test_near_years_are_close_never_future_never_negative():
    """Near years are a few years off or have swapped digits, within 1..this year."""
    this_year = timezone.now().year
    for seed in SEEDS:
        years = [int(y) for y in near_years("1689", random.Random(seed))]
        assert "1698" in near_years("1689", random.Random(seed))  # swapped digits
        assert all(1 <= y <= this_year and 0 < abs(y - 1689) <= 90 for y in years)
        assert all(int(y) <= this_year for y in near_years(str(this_year), random.Random(seed)))
        assert all(int(y) >= 1 for y in near_years("3", random.Random(seed)))


def test_near_numbers_keep_the_answers_shape():
    """Near quantities keep thousands separators and stay positive and different."""
    values = near_numbers("3,000,000", random.Random(1))
    assert len(values) >= 3
    assert all("," in v and numeric_value(v) > 0 and numeric_value(v) != 3_000_000 for v in values)
    assert all(numeric_value(v) > 0 for v in near_numbers("2", random.Random(1)))


def test_distractors_prefer_siblings_sharing_tags(bank):
    """Nerchinsk (tagged treaties, borders) draws its year distractors from tagged siblings' years."""
    fact = bank.facts["nerchinsk"]
    years = {f.answer: f for f in bank.facts.values() if f.kind == "year"}
    for seed in SEEDS:
        question = mc(fact, seed)
        assert right(question) == "1689"
        for option in distractors(question):
            sibling = years[option]
            assert {t.slug for t in sibling.tags.all()} & {"treaties", "borders"}


def test_distractor_notes_say_what_each_option_really_is(bank):
    """Every option's note is the statement of the fact it is the answer of."""
    question = mc(bank.facts["peking"], seed=2)
    statements = {f.answer: f.statement for f in bank.facts.values()}
    for option, note in zip(question.options, question.notes, strict=True):
        # A statement that does not contain its answer is prefixed with it ("2013: ... in the 2010s.").
        assert note in (statements[option], f"{option}: {statements[option]}")


def test_near_years_fill_in_when_siblings_are_few():
    """A lone year fact is still asked, with made-up near years (notes left blank)."""
    fact = FactFactory(kind="year", answer="1689", subject="was the treaty signed")
    CitationFactory(fact=fact)
    question = mc(fact, seed=4)
    assert right(question) == "1689"
    assert all(abs(int(o) - 1689) <= 90 for o in question.options)
    assert [question.notes[i] for i in range(4) if i != question.answer] == ["", "", ""]


def test_number_options_keep_the_unit(bank):
    """A quantity's options all carry its unit."""
    question = mc(bank.facts["border-length"], seed=3)
    assert right(question) == "17 km"
    assert all(o.endswith(" km") for o in question.options)


def test_no_distractor_equals_a_cited_value_an_alias_or_another_option():
    """Siblings spelled like the answer, its alias, or each other never become options."""
    topic = TopicFactory()
    source = SourceFactory(topic=topic)
    fact = FactFactory(topic=topic, kind="person", answer="Kim Il-sung", aliases=["Kim Song-ju"],
                       subject="founded the DPRK")  # fmt: skip
    CitationFactory(source=source, fact=fact, value="Kim Il-sung")
    CitationFactory(source=SourceFactory(topic=topic), fact=fact, value="kim il sung.")
    for answer in ["Kim Il Sung", "KIM SONG-JU", "Joseph Stalin", "joseph  stalin", "Stalin, Joseph",
                   "Kim Jong-il", "Kim Jong-un", "Vladimir Putin"]:  # fmt: skip
        CitationFactory(source=source, fact=FactFactory(topic=topic, kind="person", answer=answer))
    bad = {normalise(v) for v in ["Kim Il-sung", "Kim Song-ju"]}
    for seed in SEEDS:
        question = mc(fact, seed)
        names = [normalise(o) for o in question.options]
        assert len(set(names)) == 4
        assert not bad & {normalise(o) for o in distractors(question)}
        assert not {"joseph stalin"} <= set(names) or names.count("joseph stalin") == 1


def test_numeric_values_compare_numerically():
    """ "1,860" and "1860.0" are the year 1860: never a distractor for a fact whose answer is 1860."""
    topic = TopicFactory()
    fact = FactFactory(topic=topic, kind="year", answer="1860")
    CitationFactory(fact=fact)
    for answer in ["1860.0", "1,860", "1858", "1861", "1900", "1689"]:
        CitationFactory(fact=FactFactory(topic=topic, kind="year", answer=answer))
    for seed in SEEDS:
        question = mc(fact, seed)
        assert [numeric_value(o) for o in question.options].count(1860) == 1


def test_dates_compare_as_dates():
    """ "25 June 1950" and "1950-06-25" are the same date: one never distracts from the other."""
    topic = TopicFactory()
    fact = FactFactory(topic=topic, kind="date", answer="25 June 1950", subject="did the war begin")
    CitationFactory(fact=fact)
    for answer in ["1950-06-25", "June 25, 1950", "27 July 1953", "6 July 1961", "19 June 2024"]:
        CitationFactory(fact=FactFactory(topic=topic, kind="date", answer=answer))
    for seed in SEEDS:
        question = mc(fact, seed)
        assert sorted(distractors(question)) == ["19 June 2024", "27 July 1953", "6 July 1961"]


def test_fact_with_too_few_siblings_is_not_asked(bank):
    """An organisation with one sibling cannot be asked, and audit says why."""
    with pytest.raises(NotAskable, match="too few siblings"):
        mc(bank.facts["org-un"])
    reasons = {p.fact.slug: p.reason for p in audit_facts(bank.topic)}
    assert "too few siblings of kind organisation" in reasons["org-un"]
    assert "org-un" not in {
        fid for q in generate_questions(bank.topic, count=30, seed=1) for fid in q.fact_ids
    }


# --- author-written distractors ----------------------------------------------------------


def text_fact(topic=None, distractors=(), **extra):
    """A text fact ("How did relations change?"), cited once, with the author's distractors."""
    fact = FactFactory(
        topic=topic or TopicFactory(),
        kind="text",
        subject="what happened to relations after Stalin's death",
        stem="What happened to relations between Moscow and Pyongyang after Stalin's death?",
        answer="cooled",
        aliases=["they cooled"],
        statement="After Stalin's death, relations cooled.",
        distractors=list(distractors),
        **extra,
    )
    CitationFactory(fact=fact, source=SourceFactory(topic=fact.topic))
    return fact


def test_text_fact_offers_only_its_authors_distractors():
    """Kind text: the three wrong options come from the author's list, drawn by the seed, even
    when other text facts of the topic could fill them; their notes are blank."""
    written = ["warmed", "were severed", "stayed the same", "became an alliance"]
    fact = text_fact(distractors=written)
    for answer in ["all non-hard-currency trade", "axis of evil", "loss of Soviet support"]:
        CitationFactory(fact=FactFactory(topic=fact.topic, kind="text", answer=answer, stem="Q?"))
    seen = set()
    for seed in SEEDS:
        question = mc(fact, seed)
        assert right(question) == "cooled"
        assert set(distractors(question)) < set(written)
        assert [question.notes[i] for i in range(4) if i != question.answer] == ["", "", ""]
        seen |= set(distractors(question))
    assert seen == set(written)  # seeds vary which three are shown


def test_text_fact_without_three_usable_distractors_is_not_asked():
    """A text fact with fewer than three distractors (after dropping any a source gives as the
    answer) cannot be asked, and audit says what the author must add."""
    fact = text_fact(distractors=["warmed", "They cooled.", "were severed"])
    other = SourceFactory(topic=fact.topic)
    CitationFactory(fact=fact, source=other, value="were severed")
    fact.dispute_note = "One source says they were severed."
    fact.save()
    fact.refresh_disputed()

    with pytest.raises(NotAskable, match="kind text needs at least 3 author-written distractors"):
        mc(fact)
    [problem] = audit_facts(fact.topic)
    assert problem.reason == "kind text needs at least 3 author-written distractors: it has 1 usable"
    assert questions_for_facts([fact], seed=1) == []


def test_disputed_text_fact_never_offers_a_value_any_source_gives():
    """Asked "According to <source>", a disputed text fact's options are that source's value and
    author distractors: the other source's value is never among them."""
    fact = text_fact(distractors=["warmed", "were severed", "stayed the same"])
    other = SourceFactory(topic=fact.topic, title="The Other Book")
    CitationFactory(fact=fact, source=other, value="grew closer")
    fact.dispute_note = "The other book says they grew closer."
    fact.save()
    fact.refresh_disputed()
    for seed in SEEDS:
        question = mc(fact, seed)
        assert question.stem.startswith("According to ")
        assert right(question) == ("grew closer" if "The Other Book" in question.stem else "cooled")
        assert sorted(distractors(question)) == ["stayed the same", "warmed", "were severed"]


def test_other_kinds_use_the_authors_distractors_first_then_siblings(bank):
    """A person fact with one author distractor always shows it; siblings fill the other two.
    With three or more, only the author's are shown."""
    fact = bank.facts["stalin"]
    fact.distractors = ["Leon Trotsky"]
    fact.save()
    people = {normalise(n) for f in bank.facts.values() if f.kind == "person" for n in f.names()}
    for seed in SEEDS:
        options = distractors(mc(fact, seed))
        assert "Leon Trotsky" in options
        assert all(normalise(o) in people for o in options if o != "Leon Trotsky")

    fact.distractors = ["Leon Trotsky", "Lavrentiy Beria", "Vyacheslav Molotov", "Kim Il-sung"]
    fact.save()
    for seed in SEEDS:
        assert set(distractors(mc(fact, seed))) < set(fact.distractors)


def test_a_number_facts_distractors_carry_its_unit_and_never_repeat_the_answer(bank):
    """Author distractors of a quantity are bare numbers shown with the unit; one equal to the
    answer as a number ("17.0") is never offered."""
    fact = bank.facts["border-length"]
    fact.distractors = ["17.0", "25", "40"]
    fact.save()
    for seed in SEEDS:
        question = mc(fact, seed)
        assert right(question) == "17 km"
        assert {"25 km", "40 km"} <= set(distractors(question))
        assert [numeric_value(o.split()[0]) for o in question.options].count(17) == 1


def test_true_false_swaps_in_an_authors_distractor(bank):
    """The false variant of a fact with author distractors states one of them."""
    fact = bank.facts["capital"]
    fact.distractors = ["Kaesong"]
    fact.save()
    false_stems = {q.stem for q in (tf(fact, seed) for seed in SEEDS) if q.answer == 1}
    assert false_stems == {"True or false: The capital of North Korea is Kaesong."}


# --- disputed facts -----------------------------------------------------------------------


def test_disputed_fact_is_asked_according_to_one_source(bank):
    """A disputed year is asked "According to <source>", with that source's value as the answer."""
    fact = bank.facts["founding-disputed"]
    by_source = {
        "Wikipedia: North Korea–Russia relations": "1949",
        "Historical Dictionary of the Russian Federation": "1946",
    }
    seen = set()
    for seed in SEEDS:
        question = mc(fact, seed)
        title = next(t for t in by_source if question.stem.startswith(f"According to {t}, in which year"))
        seen.add(title)
        assert right(question) == by_source[title]
        assert not {"1946", "1949"} & set(distractors(question))
        assert "disagree" in question.explanation
        assert all(value in question.explanation for value in by_source.values())
    assert len(seen) == 2  # seeds vary which source is quoted


def test_disputed_fact_never_becomes_true_false(bank):
    """True/false would state a disputed value as settled: refused."""
    with pytest.raises(NotAskable, match="disputed"):
        tf(bank.facts["founding-disputed"])


def test_source_contradicting_itself_cannot_vouch_for_an_answer():
    """A fact whose only dissenting source gives two values, and nothing else, is left out."""
    topic = TopicFactory()
    source = SourceFactory(topic=topic)
    fact = FactFactory(topic=topic, kind="year", answer="1946", dispute_note="It says both.")
    CitationFactory(source=source, fact=fact, value="1946", locator="p. 1")
    CitationFactory(source=source, fact=fact, value="1949", locator="p. 9")
    fact.refresh_disputed()
    with pytest.raises(NotAskable, match="no source gives a single value"):
        mc(fact)
    [problem] = audit_facts(topic)
    assert "disputed without a source-scoped stem possible" in problem.reason


# --- true/false ---------------------------------------------------------------------------


def test_true_false_false_variant_swaps_in_a_siblings_value(bank):
    """The false statement carries a sibling's year that no source gives; the truth is in the notes."""
    fact = bank.facts["aigun"]
    forms = set()
    for seed in SEEDS:
        question = tf(fact, seed)
        assert question.options == ["True", "False"]
        forms.add(question.answer)
        if question.answer == 0:
            assert question.stem == f"True or false: {fact.statement}"
        else:
            assert "1858" not in question.stem
            assert question.stem.startswith("True or false: The Treaty of Aigun was signed in ")
            swapped = question.stem.removeprefix("True or false: The Treaty of Aigun was signed in ").rstrip(
                "."
            )
            # Choosing "True" is told what the swapped part really is, and the true statement.
            assert f"not {swapped} but 1858" in question.notes[0]
            assert fact.statement in question.notes[0]
    assert forms == {0, 1}


def test_statement_missing_its_answer_gives_no_true_false(bank):
    """ "in the 2010s" does not contain "2013": no true/false, and audit says so."""
    with pytest.raises(NotAskable, match="verbatim"):
        tf(bank.facts["rail-link"])
    assert any(
        p.fact.slug == "rail-link" and "statement missing its answer" in p.reason for p in audit_facts()
    )


# --- timeline -----------------------------------------------------------------------------


def test_events_comparable_only_at_a_shared_precision(bank):
    """1950 (year only) and 25 June 1950 cannot be ordered; different years can."""
    events = bank.events
    assert not comparable(events["war-year"], events["war-day"])
    assert comparable(events["war-day"], events["armistice"])
    assert comparable(events["nerchinsk"], events["peking"])
    same_day = TimelineEventFactory(topic=bank.topic, year=1953, month=7, day=27)
    assert not comparable(same_day, events["armistice"])


def test_timeline_questions_are_consistent_with_dates(bank):
    """Order and first questions never mix undecidable events or events with disputed dates."""
    by_title = {e.title: e for e in bank.events.values()}
    forms = set()
    for seed in SEEDS:
        for question in generate_questions(bank.topic, count=20, seed=seed):
            if question.form not in ("first", "order"):
                continue
            forms.add(question.form)
            events = [by_title[o] for o in question.options]
            assert "Founding of the DPRK" not in question.options  # its date is disputed
            assert not {"war-year", "war-day"} <= {e.slug for e in events}
            keys = [e.sort_key for e in events]
            if question.form == "first":
                assert keys[question.answer] == min(keys)
            else:
                assert sorted(question.answer) == [0, 1, 2, 3]
                assert [keys[i] for i in question.answer] == sorted(keys)
    assert forms == {"first", "order"}


# --- determinism --------------------------------------------------------------------------


def test_same_seed_same_questions_other_seed_varies(bank):
    """The same seed gives the same questions and option order; other seeds give others."""
    first = [q.to_json() for q in generate_questions(bank.topic, count=10, seed=42)]
    again = [q.to_json() for q in generate_questions(bank.topic, count=10, seed=42)]
    assert first == again
    others = [[q.to_json() for q in generate_questions(bank.topic, count=10, seed=s)] for s in (1, 2, 3)]
    assert all(o != first for o in others)


def test_build_quiz_is_deterministic(bank):
    """build_quiz with one seed returns the same list twice."""
    quiz = QuizFactory(topic=bank.topic, mix=Quiz.Mix.BOTH)
    QuestionFactory(topic=bank.topic)
    assert build_quiz(quiz, length=10, seed=7) == build_quiz(quiz, length=10, seed=7)


# --- written questions, mix, tags ---------------------------------------------------------


def written_question(topic, *, correct=1, status=Question.Status.PUBLISHED, tags=(), facts=(), section=None):
    question = QuestionFactory(topic=topic, status=status, section=section)
    question.tags.set(tags)
    question.facts.set(facts)
    for i, text in enumerate(["1689", "1858", "1860", "1945"]):
        ChoiceFactory(question=question, text=text, is_correct=i < correct, note=f"note {text}", order=i)
    return question


def test_question_from_written_keeps_choices_notes_and_sources(bank):
    """A teacher question keeps its stem and notes; the answer index follows the correct choice."""
    question = written_question(bank.topic, facts=[bank.facts["nerchinsk"]], section=bank.sections["borders"])
    generated = question_from_written(question, random.Random(3))
    assert generated.question_id == question.pk
    assert right(generated) == "1689"
    assert generated.notes[generated.answer] == "note 1689"
    assert generated.fact_ids == [bank.facts["nerchinsk"].pk]
    assert generated.sources == [
        "Wikipedia: North Korea–Russia relations",
        "MapsOfWorld: Russia–North Korea border",
    ]
    assert generated.passage_url.endswith("#section-borders")
    assert "Sources:" in generated.explanation


def test_written_question_needs_exactly_one_correct_choice(bank):
    """Two correct choices (or none) make a written question unplayable."""
    with pytest.raises(NotAskable):
        question_from_written(written_question(bank.topic, correct=2), random.Random(0))
    with pytest.raises(NotAskable):
        question_from_written(written_question(bank.topic, correct=0), random.Random(0))


def test_mix_written_uses_only_published_teacher_questions_of_the_topic(bank):
    """mix=written: published questions of the quiz's topic only, broken ones skipped."""
    good = {written_question(bank.topic).pk for _ in range(3)}
    written_question(bank.topic, status=Question.Status.DRAFT)
    written_question(bank.topic, correct=2)
    written_question(TopicFactory())
    quiz = QuizFactory(topic=bank.topic, mix=Quiz.Mix.WRITTEN)
    questions = build_quiz(quiz, length=10, seed=1)
    assert {q.question_id for q in questions} == good


def test_mix_generated_has_no_teacher_questions(bank):
    """mix=generated: every question comes from facts or the timeline."""
    written_question(bank.topic)
    quiz = QuizFactory(topic=bank.topic, mix=Quiz.Mix.GENERATED)
    questions = build_quiz(quiz, length=10, seed=1)
    assert len(questions) == 10
    assert all(q.question_id is None for q in questions)


def test_mix_both_blends_and_tops_up(bank):
    """mix=both: teacher questions (at most half) and generated ones, `length` in all."""
    for _ in range(8):
        written_question(bank.topic)
    quiz = QuizFactory(topic=bank.topic, mix=Quiz.Mix.BOTH)
    questions = build_quiz(quiz, length=10, seed=2)
    written = [q for q in questions if q.question_id]
    assert len(questions) == 10
    assert len(written) == 5


def test_no_shuffle_keeps_stable_option_order(bank):
    """shuffle off: year options ascending and teacher choices in their written order, whatever the seed."""
    written_question(bank.topic)
    quiz = QuizFactory(topic=bank.topic, mix=Quiz.Mix.BOTH, shuffle=False)
    for seed in (1, 2):
        for question in build_quiz(quiz, length=10, seed=seed):
            if question.question_id:
                assert question.options == ["1689", "1858", "1860", "1945"]
            elif question.form == "multiple_choice" and question.options[0].isdigit():
                assert question.options == sorted(question.options, key=int)


def test_tag_filter_keeps_only_tagged_questions(bank):
    """quiz.tag and the extra tag both filter facts, events and teacher questions."""
    leaders = bank.tags["leaders"]
    quiz = QuizFactory(topic=bank.topic, tag=leaders, mix=Quiz.Mix.BOTH)
    written_question(bank.topic, tags=[leaders])
    written_question(bank.topic, tags=[bank.tags["war"]])
    for seed in SEEDS:
        questions = build_quiz(quiz, length=10, seed=seed)
        assert questions
        assert all("leaders" in q.tags for q in questions)
        both = build_quiz(quiz, length=10, seed=seed, tag="war")
        assert all({"leaders", "war"} <= set(q.tags) for q in both)


def test_questions_for_facts_one_each_in_order(bank):
    """Review: one multiple-choice question per askable fact, in the order given."""
    facts = [
        bank.facts["peking"],
        bank.facts["org-un"],
        bank.facts["stalin"],
        bank.facts["founding-disputed"],
    ]
    questions = questions_for_facts(facts, seed=9)
    assert [q.fact_ids for q in questions] == [[facts[0].pk], [facts[2].pk], [facts[3].pk]]
    assert all(q.form == "multiple_choice" for q in questions)
    assert questions[2].stem.startswith("According to")


# --- queries ------------------------------------------------------------------------------


def make_bank(size: int):
    """A topic of ``size`` facts (years, people and short texts alike), made in bulk with fixed
    sample keys; the text facts carry their author's distractors."""
    keys = random.Random(size)
    topic = TopicFactory()
    source = SourceFactory(topic=topic)
    tag = TagFactory(slug="bulk")

    def fact(i: int) -> Fact:
        kind = ["year", "person", "text"][i % 3]
        answer = {"year": str(1000 + i), "person": f"Person {i}", "text": f"phrase {i}"}[kind]
        return Fact(
            topic=topic, slug=f"f{i}", kind=kind, subject=f"thing {i}", answer=answer,
            statement=f"Thing {i} is {answer}.", stem=f"What is thing {i}?" if kind == "text" else "",
            distractors=[f"wrong {i}.{n}" for n in range(4)] if kind == "text" else [],
            sample_key=keys.random(),
        )  # fmt: skip

    facts = Fact.objects.bulk_create(fact(i) for i in range(size))
    Citation.objects.bulk_create(Citation(source=source, fact=f, value=f.answer) for f in facts)
    Fact.tags.through.objects.bulk_create(Fact.tags.through(fact=f, tag=tag) for f in facts)
    for i in range(6):
        TimelineEventFactory(topic=topic, year=1900 + i)
    return topic


def count_queries(quiz, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        questions = build_quiz(quiz, **kwargs)
    assert len(questions) == kwargs["length"]
    return len(ctx.captured_queries)


def test_build_quiz_queries_do_not_grow_with_the_bank(django_assert_max_num_queries):
    """Ten questions from 50 facts or from 500 take the same number of queries, text facts
    (whose distractors come with the fact) included."""
    small = QuizFactory(topic=make_bank(50), mix=Quiz.Mix.BOTH)
    large = QuizFactory(topic=make_bank(500), mix=Quiz.Mix.BOTH)
    assert count_queries(small, length=10, seed=1) == count_queries(large, length=10, seed=1)
    with django_assert_max_num_queries(QUERY_BUDGET):
        build_quiz(large, length=10, seed=2)
    with django_assert_max_num_queries(QUERY_BUDGET):
        build_quiz(small, length=20, seed=3, tag="bulk")


def test_a_lone_dossier_asks_no_cross_topic_pool_and_stays_flat(django_assert_max_num_queries):
    """With no other topic sharing a tag, each pool is two queries: 60 facts or 600, the same count."""
    small = QuizFactory(topic=make_bank(60), mix=Quiz.Mix.BOTH)
    small_count = count_queries(small, length=10, seed=4)
    small.topic.delete()
    large = QuizFactory(topic=make_bank(600), mix=Quiz.Mix.BOTH)

    assert count_queries(large, length=10, seed=4) == small_count
    with django_assert_max_num_queries(SINGLE_TOPIC_BUDGET):
        build_quiz(large, length=10, seed=5)


def test_other_topics_lend_distractors_only_of_the_same_answer_class():
    """Another topic lends a candidate only when it shares a tag *and* the answer class (a
    river for a river): not a city with the shared tag, not an unclassed year, not a
    disputed river, not a river of a topic without a shared tag."""
    from quiz.generation.bank import candidate_pools

    borders, famine = TagFactory(slug="borders"), TagFactory(slug="famine")
    asked = FactFactory(kind="place", answer="Tumen River", answer_class="river")
    asked.tags.add(borders)
    river = FactFactory(kind="place", answer="Han River", answer_class="river")
    city = FactFactory(topic=river.topic, kind="place", answer="Seoul", answer_class="city")
    disputed = FactFactory(topic=river.topic, kind="place", answer="Nakdong River", answer_class="river")
    unrelated = FactFactory(kind="place", answer="Volga River", answer_class="river")
    for fact in (river, city, disputed):
        fact.tags.add(borders)
    unrelated.tags.add(famine)
    Fact.objects.filter(pk=disputed.pk).update(disputed=True)
    asked_year = FactFactory(topic=asked.topic, kind="year", answer="1860")
    asked_year.tags.add(borders)
    other_year = FactFactory(topic=river.topic, kind="year", answer="1689")
    other_year.tags.add(borders)
    # The cross-topic pool reads forward from the pool's random start: put the others past it.
    Fact.objects.exclude(pk=asked.pk).update(sample_key=0.999)

    keys = [(asked.topic_id, "place", "river"), (asked.topic_id, "year", "")]
    pools = candidate_pools(keys, [borders.pk], random.Random(0))

    pool = {c.fact_id: c for c in pools[keys[0]]}
    assert set(pool) - {asked.pk} == {river.pk}
    assert pool[river.pk].tag_ids == frozenset({borders.pk})
    assert other_year.pk not in {c.fact_id for c in pools[keys[1]]}
