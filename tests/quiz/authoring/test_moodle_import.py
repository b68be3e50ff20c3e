"""Importing teacher questions from Moodle's GIFT, Aiken and Moodle XML files.

The files in tests/quiz/data/moodle/ are written by hand after the examples of Moodle's own
documentation pages ("GIFT format", "Aiken format", "Moodle XML format"): the ones Moodle
documents as multiple choice and true/false import, and every type we cannot represent is
refused with its line, so nothing is dropped without a word.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from quiz.authoring.formats import detect_format, import_file
from quiz.authoring.formats.aiken import parse_aiken
from quiz.authoring.formats.gift import parse_gift
from quiz.authoring.formats.moodle_xml import parse_moodle_xml
from quiz.models import Question
from tests.factories import QuestionFactory, TagFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "moodle"


@pytest.fixture
def topic():
    TagFactory(slug="treaties")
    return TopicFactory(slug="grant", title="Grant's tomb")


def imported(data: bytes, format: str, topic, **kwargs) -> list[Question]:
    result = import_file(data, format=format, topic=topic, **kwargs)
    assert result.ok, [str(error) for error in result.errors]
    return list(Question.objects.filter(pk__in=[q.pk for q in result.questions]).order_by("pk"))


def errors_of(data: bytes, format: str, topic) -> list[str]:
    result = import_file(data, format=format, topic=topic)
    assert not result.ok
    assert not Question.objects.exists()
    return [str(error) for error in result.errors]


def key(question: Question) -> tuple:
    choices = list(question.choices.order_by("order"))
    return (
        question.stem,
        [c.text for c in choices],
        next(i for i, c in enumerate(choices) if c.is_correct),
        [c.note for c in choices],
        question.explanation,
    )


# GIFT


def test_gift_documentation_examples_import(topic):
    """Every multiple-choice, missing-word and true/false example of Moodle's GIFT page imports,
    with answer feedback as notes, general feedback as explanation, escapes and [html] decoded,
    tags from // [tag:...] comments; as drafts, by the importing teacher."""
    teacher = UserFactory()
    questions = imported((DATA / "docs_examples.gift").read_bytes(), "gift", topic, author=teacher)

    assert [key(q) for q in questions] == [
        ("Who's buried in Grant's tomb?", ["Grant", "Jefferson", "no one"], 2, ["", "", ""], ""),
        ("Grant is _____ in Grant's tomb.", ["buried", "entombed", "living"], 1, ["", "", ""], ""),
        (
            "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.",
            ["second", "third", "fourth"],
            2,
            ["", "", ""],
            "",
        ),
        (
            "Japanese characters originally came from what country?",
            ["India", "China", "Korea", "Egypt"],
            1,
            [""] * 4,
            "",
        ),
        ("Grant was buried in a tomb in New York City.", ["True", "False"], 0, ["", ""], ""),
        ("The sun rises in the West.", ["True", "False"], 1, ["", ""], ""),
        (
            "Grant is buried in Grant's tomb.",
            ["True", "False"],
            1,
            # {FALSE#if wrong#if right}: the first feedback is for the wrong choice, True.
            ["No one is buried in Grant's tomb.", "Right: no one is."],
            "",
        ),
        (
            "What's the answer to this multiple-choice question?",
            ["wrong answer", "another wrong answer", "right answer"],
            2,
            ["feedback comment on the wrong answer", "feedback comment on this wrong answer", "Very good!"],
            "",
        ),
        (
            "What's between orange and green in the spectrum?",
            ["yellow", "red", "blue"],
            0,
            ["right; good!", "wrong, it's yellow", "wrong, it's yellow"],
            "",
        ),
        (
            "The largest desert on Earth is:",
            ["Antarctica", "Sahara Desert", "Australian Desert", "Arabian Desert"],
            0,
            [""] * 4,
            "Antarctica is a desert: it gets less than 250 mm of precipitation a year.",
        ),
        ("Which HTML tag makes a paragraph?", ["<p>", "<br>"], 0, ["", ""], ""),
    ]
    assert {q.status for q in questions} == {Question.Status.DRAFT}
    assert {q.author for q in questions} == {teacher}
    assert {q.topic for q in questions} == {topic}
    assert [t.slug for t in questions[0].tags.all()] == ["treaties"]
    assert not questions[1].tags.exists()


def test_gift_types_we_cannot_represent_are_refused_with_their_line(topic):
    """The quick examples of Moodle's GIFT page: short answer, matching, numerical (three ways),
    essay, partial credit and a description are each an error on its line; nothing is
    imported, not even the two good questions."""
    assert errors_of((DATA / "docs_refused.gift").read_bytes(), "gift", topic) == [
        "line 12: a short-answer question (only =answers, no ~wrong ones): a typed answer cannot be "
        "asked as multiple choice; add ~wrong answers to make it one",
        "line 15: a matching question (=item -> match); only one right answer per question here",
        "line 18: a numerical question ({#...}): a typed number or range cannot be asked as multiple choice",
        "line 21: a numerical question ({#...}): a typed number or range cannot be asked as multiple choice",
        "line 24: a numerical question ({#...}): a typed number or range cannot be asked as multiple choice",
        "line 30: an essay question ({}); only multiple-choice and true/false can be imported",
        "line 35, answer 2: partial credit (25%) cannot be kept: our questions have one right answer "
        "and score it whole",
        "line 36, answer 3: partial credit (50%) cannot be kept: our questions have one right answer "
        "and score it whole",
        "line 40: no answers in braces: in GIFT that is a description, not a question; only "
        "multiple-choice and true/false questions can be imported",
    ]


@pytest.mark.parametrize(
    ("gift", "expected"),
    [
        (
            "Q? {=a =b ~c}",
            "line 1: 2 right answers; our questions have exactly one (Moodle's several-answer "
            "questions cannot be imported)",
        ),
        ("Q? {~a ~b}", "line 1: no right answer: mark it with ="),
        ("Q? {=a ~b", "line 1: the answers opened with { are not closed with }"),
        ("::Title Q? {=a ~b}", "line 1: the title opened with :: is not closed with ::"),
        ("Q? {=a ~b ~c ~d ~e ~f ~g}", "line 1: 7 answers; our questions have at most 6"),
        ("Q? {=a ~A.}", "line 1, answer 2: “A.” is the same answer as answer 1 (“a”)"),
        ("{=a ~b}", "line 1, question text: the question is empty"),
        ("Q? {=a ~b}\n\nQ? {=c ~d}", "line 3, question text: the same question as line 1"),
        (f"Q? {{={'x' * 301} ~b}}", "line 1, answer 1: longer than 300 characters"),
        (f"Q? {{=a#{'x' * 301} ~b}}", "line 1, feedback on answer 1: longer than 300 characters"),
        ("// [tag:nope]\nQ? {=a ~b}", "line 2, tags: no tag has the slug “nope”"),
        ("$CATEGORY: tom\nQ? {=a ~b}", "line 2: a blank line must follow the $CATEGORY: line"),
        (
            "[html]<p>Who? <img src='x.png'></p> {=a ~b}",
            "line 1, question text: holds <img>; images and media cannot be imported, only text",
        ),
        (
            "Q?\n{\n=a\n~%50%b\n}",
            "line 4, answer 2: partial credit (50%) cannot be kept: our questions "
            "have one right answer and score it whole",
        ),
        (
            "Q? {\n=a\n~b\n}\n\n// comment\nR? {T#one#two#three}",
            "line 7: true/false takes at most two feedbacks: {T#if wrong#if right}",
        ),
    ],
)
def test_gift_problems_name_their_line(topic, gift, expected):
    """Each problem of a GIFT file names its line (and the answer, when it is about one)."""
    assert expected in errors_of(gift.encode(), "gift", topic)


def test_gift_escapes_and_line_breaks(topic):
    r"""\~ \= \# \{ \} \: and \\ stand for themselves, \n for a line break."""
    gift = r"::T\:1::Is 1 \= 1 \{really\}?\nSay so\: {=yes \~ sure\#1 # it is \\ true ~no}"
    [question] = imported(gift.encode(), "gift", topic)

    assert key(question) == (
        "Is 1 = 1 {really}?\nSay so:",
        ["yes ~ sure#1", "no"],
        0,
        ["it is \\ true", ""],
        "",
    )


def test_a_question_the_dossier_has_is_refused_so_a_second_import_writes_nothing(topic):
    data = (DATA / "docs_examples.gift").read_bytes()
    imported(data, "gift", topic)

    result = import_file(data, format="gift", topic=topic)

    assert not result.ok
    assert str(result.errors[0]) == (
        "line 6, question text: the dossier “grant” already has this question (imported or written "
        "before; edit it in the admin instead)"
    )
    assert len(result.errors) == 11
    assert Question.objects.count() == 11


def test_the_same_file_goes_into_another_dossier(topic):
    data = (DATA / "docs_examples.gift").read_bytes()
    imported(data, "gift", topic)

    assert len(imported(data, "gift", TopicFactory())) == 11


def test_an_existing_question_is_refused_whatever_its_case_and_spacing(topic):
    QuestionFactory(topic=topic, stem="who's BURIED   in grant's tomb?")

    assert errors_of_keeping(b"Who's buried in Grant's tomb?{~Grant =no one}", topic) == [
        "line 1, question text: the dossier “grant” already has this question (imported or written "
        "before; edit it in the admin instead)"
    ]


def errors_of_keeping(data: bytes, topic) -> list[str]:
    before = Question.objects.count()
    result = import_file(data, format="gift", topic=topic)
    assert Question.objects.count() == before
    return [str(error) for error in result.errors]


def test_an_empty_file_and_categories_only_are_errors(topic):
    assert errors_of(b"", "gift", topic) == ["The file holds no questions."]
    assert errors_of(b"// only a comment\n$CATEGORY: tom/dick\n", "gift", topic) == [
        "The file holds no questions."
    ]


def test_a_file_that_is_not_utf8_is_an_error_with_its_line(topic):
    assert errors_of(b"Q? {=a ~b}\n\nQ\xe9? {=a ~b}", "gift", topic) == [
        "line 3: not UTF-8 text; save the file as UTF-8 and try again"
    ]


# Aiken


def test_aiken_documentation_examples_import(topic):
    """Moodle's two Aiken examples ("A." and "A)" choices); Aiken has no feedback, so no explanation."""
    questions = imported((DATA / "docs_examples.txt").read_bytes(), "aiken", topic)

    assert [key(q) for q in questions] == [
        (
            "What is the correct answer to this question?",
            ["Is it this one?", "Maybe this answer?", "Possibly this one?", "Must be this one!"],
            3,
            [""] * 4,
            "",
        ),
        (
            "Which LMS has the most quiz import formats?",
            ["Moodle", "ATutor", "Claroline", "Blackboard", "WebCT", "Ilias"],
            0,
            [""] * 6,
            "",
        ),
    ]


@pytest.mark.parametrize(
    ("aiken", "expected"),
    [
        ("Q?\nA. a\nB. b\n", "line 1: this question has no ANSWER: line"),
        ("Q?\nA. a\nB. b\nANSWER: C\n", "line 4: ANSWER: C, but the choices run A to B"),
        ("Q?\nA. a\nB. b\nANSWER: b\n", "line 4: “b” is not a choice's letter; write e.g. ANSWER: B"),
        ("Q?\nA. a\nC. b\nANSWER: A\n", "line 3: choice C where B was expected"),
        ("A. a\nB. b\nANSWER: A\n", "line 1: a choice with no question before it"),
        (
            "Q?\nA. a\nmore text\nB. b\nANSWER: A\n",
            "line 3: expected the next choice (a letter, “.” or “)”, a space) or the ANSWER: line",
        ),
        ("ANSWER: A\n", "line 1: ANSWER: with no question before it"),
        ("Q?\nANSWER: A\n", "line 2: ANSWER: but the question has no choices (A. ...)"),
        ("Q?\nA. a\nANSWER: A\n", "line 1, answer 2: a question needs at least 2 choices; this row has 1"),
        ("Q?\nA. a\nB. A\nANSWER: A\n", "line 1, answer 2: “A” is the same answer as answer 1 (“a”)"),
    ],
)
def test_aiken_problems_name_their_line(topic, aiken, expected):
    assert expected in errors_of(aiken.encode(), "aiken", topic)


# Moodle XML


def test_moodle_xml_documentation_examples_import(topic):
    """The multichoice and truefalse examples of Moodle's XML page, and a question as Moodle
    exports it (HTML in CDATA, entities, combined feedback, settings, tags)."""
    questions = imported((DATA / "docs_examples.xml").read_bytes(), "xml", topic)

    assert [key(q) for q in questions] == [
        (
            "What is the answer to this question?",
            ["The correct answer", "A distractor", "Another distractor"],
            0,
            ["Correct!", "Ooops!", "Ooops!"],
            "",
        ),
        ("Is this question true?", ["True", "False"], 0, ["Correct!", "Ooops!"], ""),
        (
            "Which treaty fixed the Russia–Qing border in 1689?",
            ["Treaty of Nerchinsk", "Treaty of Aigun", "Treaty of Peking"],
            0,
            ["", "1858", "1860"],
            "Nerchinsk (1689) was the first;\n\nAigun & Peking came in 1858–1860.",
        ),
    ]
    assert [t.slug for t in questions[2].tags.all()] == ["treaties"]


def test_moodle_xml_types_we_cannot_represent_are_refused_with_their_line(topic):
    assert errors_of((DATA / "docs_refused.xml").read_bytes(), "xml", topic) == [
        "line 3: a shortanswer question: a typed answer cannot be asked as multiple choice; only "
        "multichoice and truefalse can be imported",
        "line 7: a matching question: matching pairs are not one right answer; only multichoice and "
        "truefalse can be imported",
        "line 11: a numerical question: a typed number or range cannot be asked as multiple choice; "
        "only multichoice and truefalse can be imported",
        "line 15: a essay question: an essay has no right answer to choose; only multichoice and "
        "truefalse can be imported",
        "line 18: a cloze question: embedded answers (cloze) are several questions in one; only "
        "multichoice and truefalse can be imported",
        "line 21: a description question: a description is not a question; only multichoice and "
        "truefalse can be imported",
        "line 26, answer 1: partial credit (50%) cannot be kept: our questions have one right answer "
        "and score it whole",
        "line 27, answer 2: partial credit (50%) cannot be kept: our questions have one right answer "
        "and score it whole",
        "line 28, answer 3: partial credit (-100%) cannot be kept: our questions have one right answer "
        "and score it whole",
        "line 32, question text: holds an embedded file; files and images cannot be imported",
        "line 36: hints cannot be kept: our questions show no hints; remove them",
    ]


def test_an_xml_bomb_is_refused_at_once(topic):
    """Billion laughs: nine levels of entities that would expand to 10^9 "lol"s. defusedxml
    refuses the DTD before expanding anything."""
    started = time.perf_counter()
    errors = errors_of((DATA / "bomb.xml").read_bytes(), "xml", topic)

    assert errors == [
        "line 1: the file declares a DTD or entities, which Moodle never writes; refused, since "
        "entities can expand a small file into gigabytes"
    ]
    assert time.perf_counter() - started < 5  # not a timing test: expanding would take minutes and GBs


def test_an_external_entity_is_refused(topic, tmp_path):
    """XXE: an entity naming a local file is refused, and the file's content is never read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<quiz><question type="multichoice"><questiontext><text>&xxe;</text></questiontext>'
        '<answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer>'
        "</question></quiz>"
    ).encode()

    errors = errors_of(data, "xml", topic)

    assert errors[0].startswith("line 1: the file declares a DTD or entities")
    assert "the secret" not in " ".join(errors)


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (
            b"<quiz><question type='multichoice'>\n<questiontext><text>Q?</text></questiontext>\n</quiz>",
            "line 3: not well-formed XML: mismatched tag",
        ),
        (b"<questions/>", "line 1: the file's root is <questions>, not Moodle's <quiz>"),
        (
            b"<quiz><question type='multichoice'><questiontext><text>Q?</text></questiontext>"
            b"<answer fraction='0'><text>a</text></answer><answer fraction='0'><text>b</text></answer>"
            b"</question></quiz>",
            "line 1: no answer has fraction 100",
        ),
        (
            b"<quiz><question type='multichoice'><questiontext><text>Q?</text></questiontext>"
            b"<answer fraction='x'><text>a</text></answer></question></quiz>",
            "line 1, answer 1: fraction “x” is not a number",
        ),
        (
            b"<quiz><question type='multichoice'><questiontext><text>Q?</text></questiontext>"
            b"<answer fraction='100'><text>a</text></answer><answer fraction='0'><text>b</text></answer>"
            b"<unknown/></question></quiz>",
            "line 1: <unknown> is not part of a multichoice question we can import",
        ),
        (b"<quiz>\n<category/></quiz>", "line 2: <category> in <quiz>; Moodle XML holds <question> elements"),
    ],
)
def test_moodle_xml_problems_name_their_line(topic, xml, expected):
    assert expected in errors_of(xml, "xml", topic)


# Which format


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("q.csv", b"", "csv"),
        ("Q.GIFT", b"", "gift"),
        ("q.xml", b"", "xml"),
        ("q.aiken", b"", "aiken"),
        ("q.txt", (DATA / "docs_examples.gift").read_bytes(), "gift"),
        ("q.txt", (DATA / "docs_examples.txt").read_bytes(), "aiken"),
        ("q.txt", b"no idea", None),
        ("q.docx", b"", None),
    ],
)
def test_the_format_comes_from_the_extension_and_for_txt_from_the_content(name, data, expected):
    assert detect_format(name, data) == expected


def test_parsers_report_every_problem_without_the_database():
    """The parsers read the file alone; the database checks come after (import_parsed)."""
    assert parse_gift("Q? {=a ~b}")[1] == []
    assert parse_aiken("Q?\nA. a\nB. b\nANSWER: B")[0][0].correct == 1
    assert parse_moodle_xml(b"<quiz/>") == ([], [])
