"""What the Moodle formats share: a question as read from a file, the way its text is
turned into ours, and the way into the CSV import's all-or-nothing check and write.

Every format reads its file into :class:`MoodleQuestion` objects (each with the line it
starts on) and :class:`LineError` problems; :func:`import_parsed` turns the questions into
the CSV import's rows and hands them to :func:`quiz.authoring.csv_import.import_rows`, so a GIFT,
Aiken or Moodle XML file is checked exactly like a CSV file: the dossier's duplicates, 2-6
distinct choices, lengths, tags; then every question is written, or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from quiz.authoring.csv_import import CHOICE_COLUMNS, NOTE_COLUMNS, ImportResult, RowError, import_rows
from quiz.authoring.rules import MAX_CHOICES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from content.models import Topic

TRUE_FALSE = ["True", "False"]
BLANK = "_____"  # what Moodle shows where a "missing word" question's answers stood


@dataclass(frozen=True)
class LineError(RowError):
    """A problem in a GIFT, Aiken or XML file, named by its line (``row``) and, when it is
    about one part of the question, that part (``column``: "answer 2", "general feedback")."""

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"line {self.row}: {self.message}"
        return f"line {self.row}, {self.column}: {self.message}"


@dataclass
class MoodleQuestion:
    """One multiple-choice question read from a file, before any check against the database."""

    line: int
    stem: str
    choices: list[str]
    correct: int
    notes: list[str] = field(default_factory=list)  # per-choice feedback, "" for none
    explanation: str = ""  # Moodle's general feedback
    tags: list[str] = field(default_factory=list)
    choice_lines: list[int] = field(default_factory=list)


def import_parsed(
    questions: list[MoodleQuestion],
    errors: list[LineError],
    *,
    topic: Topic,
    author: User | None = None,
) -> ImportResult:
    """Check the file's questions as CSV rows of ``topic`` and write them all, or none.

    Imported questions are drafts: a Moodle file says nothing of our publishing, and a
    question without general feedback has no explanation yet.
    """
    problems: list[RowError] = list(errors)
    raw_rows = []
    for question in questions:
        if len(question.choices) > MAX_CHOICES:
            problems.append(
                LineError(
                    question.line,
                    None,
                    f"{len(question.choices)} answers; our questions have at most {MAX_CHOICES}",
                )
            )
            continue
        raw_rows.append((question.line, _cells(question, topic)))
    if not raw_rows and not problems:
        problems.append(LineError(None, None, "The file holds no questions."))
    problems.sort(key=lambda problem: problem.row or 0)
    result = import_rows(raw_rows, problems, author=author, explanation_required=False)
    result.errors = [_as_line_error(problem) for problem in result.errors]
    return result


def _cells(question: MoodleQuestion, topic: Topic) -> dict[str, str]:
    cells = {
        "topic": topic.slug,
        "stem": question.stem,
        "correct": str(question.correct + 1),
        "explanation": question.explanation,
        # The CSV import splits tags on ";" and ","; a Moodle tag holding either cannot be one
        # of our slugs anyway, and is reported as unknown.
        "tags": ";".join(question.tags),
    }
    for index, text in enumerate(question.choices):
        cells[CHOICE_COLUMNS[index]] = text
    for index, note in enumerate(question.notes[: len(question.choices)]):
        cells[NOTE_COLUMNS[index]] = note
    return cells


_LABELS = {
    "stem": "question text",
    "explanation": "general feedback",
    "tags": "tags",
    "topic": "dossier",
    **{column: f"answer {n}" for n, column in enumerate(CHOICE_COLUMNS, start=1)},
    **{column: f"feedback on answer {n}" for n, column in enumerate(NOTE_COLUMNS, start=1)},
}


def _as_line_error(problem: RowError) -> RowError:
    """The CSV check speaks of rows and columns; say line and part of the question instead."""
    if isinstance(problem, LineError):
        return problem
    message = re.sub(r"\bchoice_(\d)", r"answer \1", problem.message)
    message = re.sub(r"\brow (\d+)", r"line \1", message)  # "the same question as row 12"
    column = _LABELS.get(problem.column, problem.column) if problem.column else None
    return LineError(problem.row, column, message)


# Tags whose content is not text: refused rather than dropped, since the question may need it.
_MEDIA = {"img", "video", "audio", "object", "embed", "iframe", "svg", "math", "canvas", "picture"}
_BLOCKS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MEDIA:
            self.media.append(tag)
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> tuple[str, list[str]]:
    """The text a student reads in an HTML fragment, and the media tags (img, video...) it holds.

    Paragraphs and ``<br>`` become line breaks, other tags go, entities are decoded, and
    whitespace runs collapse as a browser collapses them.
    """
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.media


def plain_text(text: str, text_format: str) -> tuple[str, str | None]:
    """Our plain text for a Moodle text of ``text_format``, and why it cannot be imported, if so.

    HTML (``html``, and Moodle's own ``moodle``/``moodle_auto_format``, which allows HTML)
    is reduced to its text; ``plain``/``plain_text`` and ``markdown`` are kept as written.
    """
    if "@@PLUGINFILE@@" in text:
        return "", "refers to a file embedded in the Moodle file (an image?); files cannot be imported"
    if text_format in ("plain", "plain_text", "markdown"):
        return text.strip(), None
    converted, media = html_to_text(text)
    if media:
        return "", f"holds <{media[0]}>; images and media cannot be imported, only text"
    return converted, None
