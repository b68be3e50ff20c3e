"""Bulk import of teacher-written questions from a CSV file.

One row per question. The header row names the columns (any order, case ignored)::

    topic, stem, choice_1 .. choice_6, correct, explanation, tags, difficulty, status, section,
    note_1 .. note_6

``topic``, ``stem``, ``choice_1``, ``choice_2``, ``correct`` and ``explanation`` must be
present; the other columns may be left out (no tags, medium difficulty, draft, no section,
no notes). ``note_N`` is the feedback on ``choice_N`` ("what this option really is").
The columns are separated by commas or, as Excel saves CSV in many locales, by
semicolons: the header row decides.

Everything is checked before anything is written, and every problem is reported with its
row as a spreadsheet numbers it (the header is row 1) and its column. One bad row means
nothing is imported: a teacher fixes the file and imports it again, never half of it.
The admin's "Import questions" page and ``manage.py import_questions`` both call
:func:`import_questions`; the Moodle formats (:mod:`quiz.authoring.formats`) turn their
questions into the same rows and go through the same check and write, :func:`import_rows`.

A question is imported once. A row is refused (on its ``stem`` column) when its dossier
already has a question with the same stem, imported or written in the admin, or when an
earlier row of the file has the same topic and stem. Stems are compared by
:func:`stem_key`: Unicode NFC, surrounding whitespace stripped, runs of whitespace
collapsed, case-folded; punctuation counts ("Who?" and "Who" are different stems). The
same stem under another dossier is a different question. So importing a file a second
time is refused row by row and writes nothing, like any other bad file; a teacher who
wants to change an imported question edits it in the admin. The existing stems of every
dossier the file names are read in one query, whatever the number of rows.

The check and the write run in one transaction, with the file's dossiers locked
(``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; on SQLite the transaction's ``BEGIN IMMEDIATE``
already queues writers), so two imports of the same file at once (a double click on
"Import") cannot both pass the check: the second waits for the first and is then refused.
A question added at that moment through the admin's own form takes no such lock; that
form does not check for duplicates at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.db import transaction

from content.models import Section, Tag, Topic
from quiz.authoring.rules import MAX_CHOICES, MIN_CHOICES, repeated_choices
from quiz.models import Choice, Difficulty, Question, stem_key

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHOICE_COLUMNS = tuple(f"choice_{n}" for n in range(1, MAX_CHOICES + 1))
NOTE_COLUMNS = tuple(f"note_{n}" for n in range(1, MAX_CHOICES + 1))
COLUMNS = (
    "topic",
    "stem",
    *CHOICE_COLUMNS,
    "correct",
    "explanation",
    "tags",
    "difficulty",
    "status",
    "section",
    *NOTE_COLUMNS,
)
REQUIRED_COLUMNS = ("topic", "stem", *CHOICE_COLUMNS[:MIN_CHOICES], "correct", "explanation")
DIFFICULTIES = {
    "easy": Difficulty.EASY,
    "medium": Difficulty.MEDIUM,
    "hard": Difficulty.HARD,
    "1": Difficulty.EASY,
    "2": Difficulty.MEDIUM,
    "3": Difficulty.HARD,
}
CHOICE_MAX_LENGTH = cast(int, Choice._meta.get_field("text").max_length)  # a CharField's: never None
NOTE_MAX_LENGTH = cast(int, Choice._meta.get_field("note").max_length)

ReportError = Callable[[str | None, str], None]


@dataclass(frozen=True)
class RowError:
    """One problem in the file. ``row`` is None for the file as a whole."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"row {self.row}: {self.message}"
        return f'row {self.row}, column "{self.column}": {self.message}'


@dataclass
class QuestionRow:
    """A row that passed every check, ready to be written."""

    row: int
    topic: Topic
    stem: str
    choices: list[str]
    correct: int  # index into choices
    explanation: str
    tags: list[Tag]
    difficulty: int
    status: str
    section: Section | None
    notes: list[str] = field(default_factory=list)  # one per choice ("" for none)


@dataclass
class ImportResult:
    questions: list[Question] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_questions(data: bytes, *, author: User | None = None) -> ImportResult:
    """Check every row of the CSV file in ``data``; if all are good, create the questions.

    Returns the created questions, or the errors (and then nothing was written).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ImportResult(
            errors=[
                RowError(
                    None,
                    None,
                    f"The file is not UTF-8 text (line {data.count(b'\n', 0, exc.start) + 1} cannot be "
                    "read). Save it as “CSV UTF-8” and try again.",
                )
            ]
        )
    raw_rows, errors = _read_rows(text)
    return import_rows(raw_rows, errors, author=author)


RawRows = list[tuple[int, dict[str, str]]]


def import_rows(
    raw_rows: RawRows,
    errors: list[RowError],
    *,
    author: User | None = None,
    explanation_required: bool = True,
) -> ImportResult:
    """The step every import format shares: check ``raw_rows`` (numbered cells, by column
    name) against the database and, if neither they nor ``errors`` (the file's own) hold a
    problem, write them all in one transaction. ``explanation_required=False`` for formats
    that may have no explanation (Aiken has no place for one)."""
    if not raw_rows:
        return ImportResult(errors=errors)
    with transaction.atomic():
        rows, errors = _check_rows(raw_rows, errors, lock=True, explanation_required=explanation_required)
        if errors:
            return ImportResult(errors=errors)
        return ImportResult(questions=write_questions(rows, author=author))


def parse_questions(text: str) -> tuple[list[QuestionRow], list[RowError]]:
    """Read and check every row; return the good rows and every problem found."""
    raw_rows, errors = _read_rows(text)
    if not raw_rows:
        return [], errors
    return _check_rows(raw_rows, errors)


def delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (Excel's CSV where the
    decimal separator is a comma), else ``,``. Cells below may hold either freely."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _read_rows(text: str) -> tuple[RawRows, list[RowError]]:
    """The file's non-blank rows as (spreadsheet row number, cells by column), and its
    problems of form: not CSV, no header, bad header (then no rows), cells past the header."""
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter(text)))
    except csv.Error as exc:
        return [], [RowError(None, None, f"The file is not valid CSV: {exc}.")]
    if not records or not any(cell.strip() for cell in records[0]):
        return [], [RowError(1, None, f"the file is empty; the first row must name the columns: {_names()}")]
    header = [cell.strip().lower() for cell in records[0]]
    errors = _header_errors(header)
    if errors:
        return [], errors

    raw_rows: RawRows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets export blank lines at the end
        extra = record[len(header) :]
        if any(cell.strip() for cell in extra):
            errors.append(
                RowError(number, None, f"{len(record)} cells but only {len(header)} columns in the header")
            )
            continue
        cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
        raw_rows.append((number, cells))
    if not raw_rows and not errors:
        return [], [RowError(None, None, "The file has a header row but no questions.")]
    return raw_rows, errors


def _check_rows(
    raw_rows: RawRows, errors: list[RowError], *, lock: bool = False, explanation_required: bool = True
) -> tuple[list[QuestionRow], list[RowError]]:
    """Check every row against the database; ``errors`` (the file's own) come back with the
    rows' problems added, in row order. ``lock``: inside a transaction, see :func:`import_questions`."""
    errors = list(errors)
    lookup = _Lookup.for_rows((cells for _, cells in raw_rows), lock=lock)
    good: list[QuestionRow] = []
    for number, cells in raw_rows:
        question, row_errors = _check_row(number, cells, lookup, explanation_required=explanation_required)
        errors.extend(row_errors)
        if question is not None:
            good.append(question)
    errors.sort(key=lambda problem: problem.row or 0)
    return good, errors


def write_questions(rows: list[QuestionRow], *, author: User | None = None) -> list[Question]:
    """Create the checked questions with their choices and tags, all or nothing."""
    # Inside import_questions' transaction a savepoint would buy nothing: a failure here
    # rolls back the whole import anyway.
    with transaction.atomic(savepoint=False):
        questions = Question.objects.bulk_create(
            Question(
                topic=row.topic,
                stem=row.stem,
                explanation=row.explanation,
                difficulty=row.difficulty,
                status=row.status,
                section=row.section,
                author=author,
            )
            for row in rows
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                text=text,
                is_correct=index == row.correct,
                note=row.notes[index] if index < len(row.notes) else "",
                order=index,
            )
            for question, row in zip(questions, rows, strict=True)
            for index, text in enumerate(row.choices)
        )
        Question.tags.through.objects.bulk_create(
            Question.tags.through(question_id=question.pk, tag_id=tag.pk)
            for question, row in zip(questions, rows, strict=True)
            for tag in row.tags
        )
    return questions


def _names(columns: tuple[str, ...] = COLUMNS) -> str:
    return ", ".join(columns)


def _header_errors(header: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if not name:
            errors.append(RowError(1, None, "a column has no name"))
        elif name not in COLUMNS:
            errors.append(RowError(1, name, f"unknown column; the columns are: {_names()}"))
        elif name in seen:
            errors.append(RowError(1, name, "this column appears twice"))
        seen.add(name)
    errors.extend(
        RowError(1, name, "this column is missing") for name in REQUIRED_COLUMNS if name not in seen
    )
    return errors


@dataclass
class _Lookup:
    """Every topic, tag and section the file names, and the stems those topics already
    have, fetched in four queries; and the first row of the file that asks each question."""

    topics: dict[str, Topic]
    tags: dict[str, Tag]
    sections: dict[tuple[int, str], Section]
    existing_stems: set[tuple[int, str]]  # (topic pk, stem_key)
    first_rows: dict[tuple[int, str], int] = field(default_factory=dict)

    @classmethod
    def for_rows(cls, rows: Iterable[dict[str, str]], *, lock: bool = False) -> _Lookup:
        rows = list(rows)
        topic_slugs = {cells["topic"] for cells in rows if cells.get("topic")}
        tag_slugs = {slug for cells in rows for slug in _split_tags(cells.get("tags", ""))}
        section_slugs = {cells["section"] for cells in rows if cells.get("section")}
        topic_query = Topic.objects.filter(slug__in=topic_slugs)
        if lock:
            # NO KEY: rows that refer to a topic (a new quiz, section or question in the admin)
            # need not wait. In pk order: two imports naming the same topics cannot deadlock.
            topic_query = topic_query.order_by("pk").select_for_update(no_key=True)
        topics = {topic.slug: topic for topic in topic_query}
        tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=tag_slugs)}
        sections = {
            (section.topic_id, section.slug): section
            for section in Section.objects.filter(topic__in=topics.values(), slug__in=section_slugs)
        }
        # Normalised stems cannot be matched in SQL alike on SQLite and PostgreSQL, so the
        # topics' stems are read once and compared here.
        stems = (
            Question.objects.filter(topic_id__in=[topic.pk for topic in topics.values()])
            .order_by()  # the default ordering would join the topics for nothing
            .values_list("topic_id", "stem")
        )
        existing_stems = {(topic_id, stem_key(stem)) for topic_id, stem in stems}
        return cls(topics=topics, tags=tags, sections=sections, existing_stems=existing_stems)

    def repeat_problem(self, number: int, topic: Topic, stem: str) -> str | None:
        """Why row ``number`` asks a question that exists already, if it does."""
        key = (topic.pk, stem_key(stem))
        if key in self.existing_stems:
            return (
                f"the dossier “{topic.slug}” already has this question "
                "(imported or written before; edit it in the admin instead)"
            )
        first = self.first_rows.setdefault(key, number)
        if first != number:
            return f"the same question as row {first}"
        return None


def _split_tags(value: str) -> list[str]:
    return [slug.strip() for slug in re.split(r"[;,]", value) if slug.strip()]


def _check_row(
    number: int, cells: dict[str, str], lookup: _Lookup, *, explanation_required: bool = True
) -> tuple[QuestionRow | None, list[RowError]]:
    errors: list[RowError] = []

    def error(column: str | None, message: str) -> None:
        errors.append(RowError(number, column, message))

    topic = lookup.topics.get(cells["topic"])
    if not cells["topic"]:
        error("topic", "empty; give the slug of the dossier the question belongs to")
    elif topic is None:
        error("topic", f"no dossier has the slug “{cells['topic']}”")

    if not cells["stem"]:
        error("stem", "the question is empty")
    elif topic is not None and (problem := lookup.repeat_problem(number, topic, cells["stem"])):
        error("stem", problem)
    choices = _check_choices(cells, error)
    correct = _check_correct(cells["correct"], len(choices), error)
    if explanation_required and not cells.get("explanation"):
        error("explanation", "empty; say why the right answer is right")
    notes = [cells.get(column, "") for column in NOTE_COLUMNS]
    for index, note in enumerate(notes):
        if len(note) > NOTE_MAX_LENGTH:
            error(NOTE_COLUMNS[index], f"longer than {NOTE_MAX_LENGTH} characters")
        elif note and index >= len(choices):
            error(NOTE_COLUMNS[index], f"a note on {CHOICE_COLUMNS[index]}, which is empty")

    tags = []
    for slug in _split_tags(cells.get("tags", "")):
        if slug in lookup.tags:
            tags.append(lookup.tags[slug])
        else:
            error("tags", f"no tag has the slug “{slug}”")

    difficulty = Difficulty.MEDIUM
    if value := cells.get("difficulty", ""):
        if value.lower() in DIFFICULTIES:
            difficulty = DIFFICULTIES[value.lower()]
        else:
            error("difficulty", f"“{value}” is not a difficulty (easy, medium, hard, or 1-3)")

    status = Question.Status.DRAFT
    if value := cells.get("status", ""):
        if value.lower() in Question.Status.values:
            status = Question.Status(value.lower())
        else:
            error("status", f"“{value}” is not a status (draft or published)")

    section = None
    if (slug := cells.get("section", "")) and topic is not None:
        section = lookup.sections.get((topic.pk, slug))
        if section is None:
            error("section", f"the dossier “{topic.slug}” has no section with the slug “{slug}”")

    if errors or topic is None or correct is None:
        return None, errors
    return (
        QuestionRow(
            row=number,
            topic=topic,
            stem=cells["stem"],
            choices=choices,
            correct=correct,
            explanation=cells.get("explanation", ""),
            tags=tags,
            difficulty=difficulty,
            status=status,
            section=section,
            notes=notes[: len(choices)],
        ),
        [],
    )


def _check_choices(cells: dict[str, str], error: ReportError) -> list[str]:
    """The filled choices, in order; reports gaps, too few, too long and repeats."""
    texts = [cells.get(column, "") for column in CHOICE_COLUMNS]
    filled = len(texts) - next((i for i, text in enumerate(reversed(texts)) if text), len(texts))
    for index in range(filled):
        if not texts[index]:
            error(CHOICE_COLUMNS[index], "empty, but a later choice is filled; fill the choices in order")
        elif len(texts[index]) > CHOICE_MAX_LENGTH:
            error(CHOICE_COLUMNS[index], f"longer than {CHOICE_MAX_LENGTH} characters")
    choices = texts[:filled]
    if filled < MIN_CHOICES:
        error(
            CHOICE_COLUMNS[filled], f"a question needs at least {MIN_CHOICES} choices; this row has {filled}"
        )
    for index, earlier in repeated_choices(choices).items():
        if choices[index]:
            error(
                CHOICE_COLUMNS[index],
                f"“{choices[index]}” is the same answer as {CHOICE_COLUMNS[earlier]} (“{choices[earlier]}”)",
            )
    return choices


def _check_correct(value: str, filled: int, error: ReportError) -> int | None:
    """The 0-based index of the right choice, from the 1-based number in the file."""
    if not value:
        error("correct", "empty; give the number of the right choice (1 for choice_1...)")
        return None
    if not value.isdigit():
        error(
            "correct", f"“{value}” is not a number; give the number of the right choice (1 for choice_1...)"
        )
        return None
    number = int(value)
    if not 1 <= number <= filled:
        if filled:
            error("correct", f"{number} is not one of the filled choices (1-{filled})")
        else:
            error("correct", f"{number} is not one of the filled choices (none are filled)")
        return None
    return number - 1
