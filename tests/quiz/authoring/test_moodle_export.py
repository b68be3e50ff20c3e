"""Exporting questions as Moodle GIFT and Moodle XML, and the round trip back.

Export → import gives the same questions (stems, choices, right answer, each choice's
note, explanation, tags), for teacher questions full of GIFT's special characters and for a
dossier's whole generated bank; exporting the imported questions again gives the same file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.authoring.formats import import_file
from quiz.authoring.formats.export import (
    dossier_bank,
    quiz_questions,
    render,
    teacher_questions,
    written_questions,
)
from quiz.generation import questions_for_facts
from quiz.models import Question, Quiz
from tests.factories import (
    ChoiceFactory,
    CitationFactory,
    FactFactory,
    QuestionFactory,
    QuizFactory,
    TagFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TRICKY = [
    "Which of {these} = the right one: ~ or #?",
    "Back\\slash, a line\nbreak, and <b>not HTML</b> &amp; “quotes”",
    "::Not a title:: [html] // not a comment",
]


def question(topic, stem, choices, correct=0, *, explanation="", notes=None, tags=(), author=None, **kwargs):
    q = QuestionFactory(topic=topic, stem=stem, explanation=explanation, author=author, **kwargs)
    for index, text in enumerate(choices):
        ChoiceFactory(
            question=q, text=text, is_correct=index == correct, note=(notes or [""] * 9)[index], order=index
        )
    q.tags.set(tags)
    return q


def snapshot(questions) -> list[tuple]:
    """What a round trip keeps, for questions or generated questions."""
    out = []
    for q in questions:
        if isinstance(q, Question):
            choices = list(q.choices.order_by("order"))
            out.append(
                (
                    q.stem,
                    [c.text for c in choices],
                    next(i for i, c in enumerate(choices) if c.is_correct),
                    [c.note for c in choices],
                    q.explanation,
                    sorted(t.slug for t in q.tags.all()),
                )
            )
        else:
            out.append((q.stem, q.options, q.answer, q.notes, q.explanation, sorted(q.tags)))
    return out


@pytest.fixture
def teacher_bank():
    """A teacher's questions whose texts use every character GIFT and XML treat specially."""
    teacher = UserFactory(username="teacher")
    topic = TopicFactory(slug="source", title="Source dossier")
    treaties = TagFactory(slug="treaties")
    question(
        topic,
        TRICKY[0],
        ["{a}", "b = c", "d ~ e", "f # g: h", "i\\j"],
        correct=3,
        explanation="Because #### is not general feedback here: {}.",
        notes=["n{1}", "", "n=3", "n#4", "n\\5"],
        tags=[treaties],
        author=teacher,
    )
    question(
        topic,
        TRICKY[1],
        ["<script>alert(1)</script>", "Plain"],
        correct=1,
        explanation="Line one\nline two",
        author=teacher,
    )
    question(topic, TRICKY[2], ["True", "False"], correct=0, explanation="", author=teacher)
    question(topic, "Someone else's?", ["x", "y"], author=UserFactory())
    return teacher


@pytest.mark.parametrize("format", ["gift", "xml"])
def test_teacher_questions_round_trip(teacher_bank, format):
    """Export a teacher's questions, import the file into another dossier: the same questions;
    export those again: the same file."""
    exports = teacher_questions(teacher_bank)
    original = Question.objects.filter(author=teacher_bank).order_by("pk")
    data = render(exports, format)

    target = TopicFactory(slug="target", title="Source dossier")
    result = import_file(data, format=format, topic=target)

    assert result.ok, [str(e) for e in result.errors]
    copies = Question.objects.filter(topic=target).order_by("pk")
    assert snapshot(copies) == snapshot(original)
    assert render(written_questions(copies), format) == data


@pytest.mark.parametrize("format", ["gift", "xml"])
def test_a_dossiers_generated_bank_round_trips(bank, format):
    """The whole generated bank (one question per askable fact, disputed facts asked after one
    source) exports, and imports back as the same questions, sources in the explanations."""
    export = dossier_bank(bank.topic)
    assert len(export.questions) >= 20
    assert any(q.stem.startswith("According to ") for q in export.questions)
    assert all(q.sources and all(title in q.explanation for title in q.sources) for q in export.questions)
    data = render([export], format)

    target = TopicFactory()
    result = import_file(data, format=format, topic=target)

    assert result.ok, [str(e) for e in result.errors]
    assert snapshot(Question.objects.filter(topic=target).order_by("pk")) == snapshot(export.questions)


def test_the_bank_is_one_question_per_askable_fact_and_says_which_facts_it_skips(bank):
    fact_ids = list(bank.topic.facts.order_by("pk").values_list("pk", flat=True))
    export = dossier_bank(bank.topic)

    assert snapshot(export.questions) == snapshot(questions_for_facts(fact_ids, seed=0))
    asked = {pk for q in export.questions for pk in q.fact_ids}
    skipped = bank.topic.facts.exclude(pk__in=asked).order_by("pk")
    assert export.skipped == [
        f"fact “{f.slug}”: cannot be asked (see manage.py audit_questions)" for f in skipped
    ]
    assert dossier_bank(bank.topic).questions == export.questions  # the same for everyone


def test_the_bank_narrowed_to_a_tag(bank):
    export = dossier_bank(bank.topic, bank.tags["treaties"])

    assert export.questions
    assert all("treaties" in q.tags for q in export.questions)


def test_gift_file_shape(teacher_bank):
    """Moodle's GIFT: a category, [plain] texts with special characters escaped, =right ~wrong
    with #feedback, ####general feedback, tags in a // [tag:...] comment."""
    data = render(teacher_questions(teacher_bank), "gift", heading="Questions by teacher").decode()

    assert data.startswith("// Questions by teacher\n\n$CATEGORY: $course$/top/Source dossier\n")
    assert (
        "// [tag:treaties]\n::Which of \\{these\\} \\= the right one\\: \\~ or \\#?::[plain]Which of" in data
    )
    assert "\t~\\{a\\}#n\\{1\\}\n" in data
    assert "\t=f \\# g\\: h#n\\#4\n" in data
    assert "\t~i\\\\j#n\\\\5\n" in data
    assert "\t####Because \\#\\#\\#\\# is not general feedback here\\: \\{\\}.\n}" in data
    assert "[plain]Back\\\\slash, a line\\nbreak, and <b>not HTML</b>" in data


def test_xml_file_shape(teacher_bank):
    """Moodle XML: the declaration first, a category, plain_text texts (Moodle escapes them),
    fractions 100 and 0, feedback, general feedback, tags; teacher text is escaped XML."""
    data = render(teacher_questions(teacher_bank), "xml")

    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in data
    assert b"<script>" not in data
    root = ET.fromstring(data)
    category, first, *_ = root
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/Source dossier"
    assert first.get("type") == "multichoice"
    assert first.find("questiontext").get("format") == "plain_text"
    assert first.findtext("questiontext/text") == TRICKY[0]
    assert [a.get("fraction") for a in first.iterfind("answer")] == ["0", "0", "0", "100", "0"]
    assert [a.findtext("feedback/text") for a in first.iterfind("answer")] == [
        "n{1}",
        "",
        "n=3",
        "n#4",
        "n\\5",
    ]
    assert first.findtext("generalfeedback/text") == "Because #### is not general feedback here: {}."
    assert [t.text for t in first.iterfind("tags/tag/text")] == ["treaties"]


def test_true_false_questions_are_moodle_true_false():
    """A generated true/false question becomes Moodle's truefalse type, feedback on each answer."""
    from quiz.generation import GeneratedQuestion

    tf = GeneratedQuestion(
        form="true_false",
        stem="True or false: the DPRK was founded in 1948.",
        options=["True", "False"],
        answer=0,
        explanation="It was. Source: Wiki.",
        notes=["The DPRK was founded in 1948.", ""],
        fact_ids=[],
    )
    gift = render([_export(tf)], "gift").decode()
    xml = render([_export(tf)], "xml")

    assert (
        "[plain]True or false\\: the DPRK was founded in 1948. {TRUE##The DPRK was founded in 1948."
        "####It was. Source\\: Wiki.}" in gift
    )
    element = ET.fromstring(xml)[1]
    assert element.get("type") == "truefalse"
    assert [(a.findtext("text"), a.get("fraction")) for a in element.iterfind("answer")] == [
        ("true", "100"),
        ("false", "0"),
    ]
    for data, format in [(gift.encode(), "gift"), (xml, "xml")]:
        result = import_file(data, format=format, topic=TopicFactory())
        assert result.ok
        assert snapshot(result.questions) == [
            (
                tf.stem,
                ["True", "False"],
                0,
                ["The DPRK was founded in 1948.", ""],
                "It was. Source: Wiki.",
                [],
            )
        ]


def _export(question):
    from quiz.authoring.formats.export import Export

    return Export("True or false", [question])


def test_a_quiz_exports_what_it_draws_from(bank):
    """Mix "both": the dossier's published teacher questions with the quiz's tag, then its
    generated bank with that tag; drafts and other tags are left out."""
    treaties = bank.tags["treaties"]
    kept = question(bank.topic, "Published and tagged?", ["a", "b"], tags=[treaties])
    question(bank.topic, "Draft?", ["a", "b"], tags=[treaties], status=Question.Status.DRAFT)
    question(bank.topic, "Other tag?", ["a", "b"], tags=[bank.tags["economy"]])
    quiz = QuizFactory(topic=bank.topic, tag=treaties, mix=Quiz.Mix.BOTH, title="Treaties")

    written, generated = quiz_questions(quiz)

    assert [q.question_id for q in written.questions] == [kept.pk]
    assert written.category == "Treaties (teachers)"
    assert generated.category == "Treaties (generated)"
    assert snapshot(generated.questions) == snapshot(dossier_bank(bank.topic, treaties).questions)
    quiz.mix = Quiz.Mix.WRITTEN
    assert [e.category for e in quiz_questions(quiz)] == ["Treaties (teachers)"]
    quiz.mix = Quiz.Mix.GENERATED
    assert [e.category for e in quiz_questions(quiz)] == ["Treaties (generated)"]


def test_a_teacher_question_carries_the_sources_of_its_facts_in_its_explanation():
    topic = TopicFactory()
    fact = FactFactory(topic=topic)
    CitationFactory(fact=fact, source__title="The Source Book", source__topic=topic)
    q = question(topic, "Linked?", ["a", "b"], explanation="Because.")
    q.facts.set([fact])

    [export] = written_questions(Question.objects.filter(pk=q.pk))

    assert export.questions[0].explanation == "Because. Source: The Source Book."


def test_a_broken_question_is_not_exported_and_is_named():
    topic = TopicFactory(title="T")
    broken = question(topic, "No right answer?", ["a", "b"], correct=9)

    [export] = written_questions(Question.objects.all())

    assert export.questions == []
    assert export.skipped == [
        f"“No right answer?” (#{broken.pk}): a written question needs two or more choices, "
        "exactly one of them correct"
    ]


# The command


def test_export_command_writes_a_teachers_questions(teacher_bank, tmp_path, capsys):
    out = tmp_path / "mine.xml"
    call_command("export_questions", "--author", "teacher", "--output", str(out))

    assert out.read_bytes() == render(teacher_questions(teacher_bank), "xml", heading="Questions by teacher")
    assert "Wrote 3 questions to" in capsys.readouterr().err


def test_export_command_writes_gift_to_stdout(teacher_bank, capsys):
    call_command("export_questions", "--author", "teacher")

    assert (
        capsys.readouterr().out
        == render(teacher_questions(teacher_bank), "gift", heading="Questions by teacher").decode()
    )


def test_export_command_bank_and_quiz(bank, tmp_path, capsys):
    call_command(
        "export_questions",
        "--bank",
        "nk-russia",
        "--tag",
        "treaties",
        "--format",
        "xml",
        "-o",
        str(tmp_path / "b"),
    )
    assert (tmp_path / "b").read_bytes() == render(
        [dossier_bank(bank.topic, bank.tags["treaties"])],
        "xml",
        heading="Generated questions: North Korea–Russia relations",
    )
    quiz = QuizFactory(topic=bank.topic, slug="q1", title="Q1")
    call_command("export_questions", "--quiz", "q1", "-o", str(tmp_path / "q.gift"))
    assert (tmp_path / "q.gift").read_bytes() == render(quiz_questions(quiz), "gift", heading="Quiz: Q1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--author", "nobody"], "No user has the username “nobody”."),
        (["--quiz", "nope"], "No quiz has the slug “nope”."),
        (["--bank", "nope"], "No dossier has the slug “nope”."),
        (["--author", "teacher", "--tag", "x"], "--tag goes with --bank."),
    ],
)
def test_export_command_errors(teacher_bank, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_questions", *args)


# Any text survives the trip (no database: the writers and the parsers alone)

_TEXT = (
    st.text(alphabet=st.sampled_from(list("ab Z0é–“”'\"~=#{}:\\/%[]<>&;\n\t_-")), min_size=1, max_size=30)
    .map(lambda text: text.strip())
    .filter(lambda text: text and not text.startswith("%"))
)


@settings(max_examples=200, deadline=None)
@given(
    stem=_TEXT,
    options=st.lists(_TEXT, min_size=2, max_size=6, unique=True),
    notes=st.lists(st.one_of(st.just(""), _TEXT), min_size=6, max_size=6),
    explanation=st.one_of(st.just(""), _TEXT),
    answer=st.integers(min_value=0, max_value=5),
)
def test_any_text_round_trips_through_gift_and_xml(stem, options, notes, explanation, answer):
    """Whatever a teacher types (GIFT's special characters, backslashes, line breaks, markup),
    both writers escape it so that their reader gives it back exactly."""
    from quiz.authoring.formats.gift import parse_gift, write_gift
    from quiz.authoring.formats.moodle_xml import parse_moodle_xml, write_moodle_xml
    from quiz.generation import GeneratedQuestion

    original = GeneratedQuestion(
        form="multiple_choice",
        stem=stem,
        options=options,
        answer=answer % len(options),
        explanation=explanation,
        notes=notes[: len(options)],
        fact_ids=[],
        tags=["a-tag"],
    )
    for parsed, errors in [
        parse_gift(write_gift([original], category="C")),
        parse_moodle_xml(write_moodle_xml([("C", [original])])),
    ]:
        assert errors == []
        [back] = parsed
        assert (back.stem, back.choices, back.correct, back.notes, back.explanation, back.tags) == (
            original.stem,
            original.options,
            original.answer,
            original.notes,
            original.explanation,
            original.tags,
        )
