"""Moodle's GIFT text format: reading teacher questions, and writing ours.

Read: multiple choice (``{=right ~wrong}``, with ``#feedback`` per answer, ``####general
feedback``, ``::title::``, ``[html]``/``[moodle]``/``[plain]``/``[markdown]``, backslash
escapes, ``// [tag:slug]`` comments), its "missing word" form (answers in the middle of the
sentence: the stem gets a ``_____``), and true/false (``{T}``, ``{FALSE#wrong#right}``),
which becomes a question with the choices "True" and "False". Everything else GIFT can
say is refused with its line: short answer, matching, numerical, essay, descriptions,
several right answers or partial credit (``%50%``). ``$CATEGORY:`` lines are skipped: the
teacher picks the dossier the questions go to.

Written: one question per blank-line-separated block, ``[plain]`` text (Moodle shows it
escaped), the choices' notes as answer feedback and the explanation (with its sources) as
general feedback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quiz.authoring.formats.common import (
    BLANK,
    TRUE_FALSE,
    LineError,
    MoodleQuestion,
    plain_text,
)
from quiz.generation import GeneratedQuestion

_SPECIAL = "~=#{}:"
# Escaped characters stand in the text as private-use characters while it is taken apart.
_HIDE = {"\\\\": "\ue000", **{f"\\{char}": chr(0xE001 + i) for i, char in enumerate(_SPECIAL)}}
_SHOW = {hidden: escaped[1] for escaped, hidden in _HIDE.items()}
_NEWLINE = "\ue010"  # GIFT's \n: a line break, where the file's own line breaks are only spaces
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_TAG = re.compile(r"\[tag:((?:\\.|[^\]\\])*)\]")
_TRUE_FALSE = re.compile(r"(TRUE|T|FALSE|F)\s*((?:#.*)?)", re.DOTALL)


def _hide(text: str) -> str:
    for escaped, hidden in _HIDE.items():
        text = text.replace(escaped, hidden)
    return text.replace("\\n", _NEWLINE)


def _show(text: str, text_format: str) -> str:
    """Undo :func:`_hide`: the text as the teacher meant it, GIFT's ``\\n`` as a line break
    (``<br>`` in the formats that are HTML)."""
    text = text.replace(_NEWLINE, "\n" if text_format in ("plain", "markdown") else "<br>")
    for hidden, char in _SHOW.items():
        text = text.replace(hidden, char)
    return text


def _blocks(text: str) -> Iterable[tuple[list[int], str, list[str]]]:
    """Each question's lines: (their line numbers, the text without comments, the tags its
    comments name). Blank lines separate questions; ``//`` lines are comments."""
    numbers: list[int] = []
    lines: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if lines:
                yield numbers, "\n".join(lines), tags
            numbers, lines, tags = [], [], []
        elif line.lstrip().startswith("//"):
            tags.extend(re.sub(r"\\(.)", r"\1", tag).strip() for tag in _TAG.findall(line))
        else:
            numbers.append(number)
            lines.append(line)
    if lines:
        yield numbers, "\n".join(lines), tags


def parse_gift(text: str) -> tuple[list[MoodleQuestion], list[LineError]]:
    """The file's questions and its problems, each with its line."""
    questions: list[MoodleQuestion] = []
    errors: list[LineError] = []
    for numbers, block, tags in _blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if block.lstrip().startswith("$CATEGORY:"):
            if "\n" in block.strip():  # Moodle would take the question below as part of the name
                errors.append(LineError(numbers[1], None, "a blank line must follow the $CATEGORY: line"))
            continue
        question = _Question(numbers, _hide(block), tags, errors).read()
        if question is not None:
            questions.append(question)
    return questions, errors


class _Question:
    """One block of a GIFT file taken apart; positions are into the block's hidden-escape text."""

    def __init__(self, numbers: list[int], text: str, tags: list[str], errors: list[LineError]) -> None:
        self.numbers = numbers
        self.text = text
        self.tags = tags
        self.errors = errors
        self.failed = False

    def line(self, position: int = 0) -> int:
        return self.numbers[self.text.count("\n", 0, position)]

    def error(self, message: str, position: int = 0, part: str | None = None) -> None:
        self.errors.append(LineError(self.line(position), part, message))
        self.failed = True

    def convert(self, raw: str, text_format: str, position: int, part: str | None) -> str:
        text, problem = plain_text(_show(raw, text_format), text_format)
        if problem:
            self.error(problem, position, part)
        return text

    def read(self) -> MoodleQuestion | None:
        text = self.text
        start = len(text) - len(text.lstrip())
        if text.startswith("::", start):
            end = text.find("::", start + 2)
            if end == -1:
                self.error("the title opened with :: is not closed with ::", start)
                return None
            start = end + 2
            start += len(text[start:]) - len(text[start:].lstrip())
        text_format = "moodle"
        if match := _FORMAT.match(text, start):
            text_format = match.group(1)
            start = match.end()
        opening = text.find("{", start)
        if opening == -1:
            self.error(
                "no answers in braces: in GIFT that is a description, not a question; "
                "only multiple-choice and true/false questions can be imported",
                start,
            )
            return None
        closing = text.rfind("}")
        if closing < opening:
            self.error("the answers opened with { are not closed with }", opening)
            return None
        after = text[closing + 1 :]
        stem_raw = text[start:opening] + (BLANK + after if after.strip() else "")
        answers = text[opening + 1 : closing]
        explanation = ""
        if (general := answers.find("####")) != -1:
            explanation = self.convert(
                answers[general + 4 :], text_format, opening + 1 + general, "general feedback"
            )
            answers = answers[:general]
        stem = self.convert(stem_raw, text_format, start, "question text")
        question = self._answers(answers, opening + 1, text_format)
        if question is None or self.failed:
            return None
        question.stem, question.explanation, question.tags = stem, explanation, self.tags
        return question

    def _answers(self, answers: str, at: int, text_format: str) -> MoodleQuestion | None:
        body = answers.strip()
        if not body:
            self.error("an essay question ({}); only multiple-choice and true/false can be imported", at)
        elif body.startswith("#"):
            self.error(
                "a numerical question ({#...}): a typed number or range cannot be asked as multiple choice",
                at,
            )
        elif "~" in body:
            return self._multiple_choice(answers, at, text_format)
        elif "=" in body and "->" in body:
            self.error("a matching question (=item -> match); only one right answer per question here", at)
        elif match := _TRUE_FALSE.fullmatch(body):
            return self._true_false(match, at, text_format)
        else:
            self.error(
                "a short-answer question (only =answers, no ~wrong ones): a typed answer cannot be "
                "asked as multiple choice; add ~wrong answers to make it one",
                at,
            )
        return None

    def _true_false(self, match: re.Match[str], at: int, text_format: str) -> MoodleQuestion:
        true = match.group(1) in ("T", "TRUE")
        feedback = match.group(2).split("#")[1:] if match.group(2) else []
        if len(feedback) > 2:
            self.error("true/false takes at most two feedbacks: {T#if wrong#if right}", at)
        wrong, right = (self.convert(part, text_format, at, "feedback") for part in [*feedback, "", ""][:2])
        return MoodleQuestion(
            line=self.line(),
            stem="",
            choices=list(TRUE_FALSE),
            correct=0 if true else 1,
            notes=[right, wrong] if true else [wrong, right],
            choice_lines=[self.line(at)] * 2,
        )

    def _multiple_choice(self, answers: str, at: int, text_format: str) -> MoodleQuestion | None:
        marks = [m.start() for m in re.finditer(r"[=~]", answers)]
        if answers[: marks[0]].strip():
            self.error("text before the first answer; each answer starts with = or ~", at)
        choices: list[str] = []
        notes: list[str] = []
        lines: list[int] = []
        right: list[int] = []
        for n, (begin, end) in enumerate(zip(marks, [*marks[1:], len(answers)], strict=True), start=1):
            position = at + begin
            part = f"answer {n}"
            answer = answers[begin + 1 : end]
            fraction = 100.0 if answers[begin] == "=" else 0.0
            if weight := _WEIGHT.match(answer.lstrip()):
                fraction = float(weight.group(1))
                answer = answer.lstrip()[weight.end() :]
            if fraction not in (0.0, 100.0):
                self.error(
                    f"partial credit ({fraction:g}%) cannot be kept: our questions have one right "
                    "answer and score it whole",
                    position,
                    part,
                )
            elif fraction == 100.0:
                right.append(len(choices))
            choice, _, note = answer.partition("#")
            choices.append(self.convert(choice, text_format, position, part))
            notes.append(self.convert(note, text_format, position, f"feedback on answer {n}"))
            lines.append(self.line(position))
        if len(right) != 1 and not self.failed:
            self.error(
                "no right answer: mark it with ="
                if not right
                else f"{len(right)} right answers; our questions have exactly one "
                "(Moodle's several-answer questions cannot be imported)",
                at,
            )
            return None
        return MoodleQuestion(
            line=self.line(),
            stem="",
            choices=choices,
            correct=right[0] if right else 0,
            notes=notes,
            choice_lines=lines,
        )


def escape(text: str) -> str:
    """``text`` as GIFT writes it: the special characters and the backslash escaped, line
    breaks as ``\\n``."""
    text = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        text = text.replace(char, f"\\{char}")
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def question_name(stem: str) -> str:
    """Moodle's question name: the stem's first words, on one line."""
    name = " ".join(stem.split())
    return name if len(name) <= 80 else name[:79].rstrip() + "…"


def write_gift(questions: Iterable[GeneratedQuestion], *, category: str = "", heading: str = "") -> str:
    """A GIFT file of ``questions`` (multiple choice, "which first" and true/false)."""
    out: list[str] = []
    if heading:
        out.extend(f"// {line}" for line in heading.splitlines())
        out.append("")
    if category:
        out.extend([f"$CATEGORY: $course$/top/{category.replace('/', '//')}", ""])
    for question in questions:
        if isinstance(question.answer, list):
            raise ValueError(f"an ordering or matching question cannot be written as GIFT: {question.stem!r}")
        if question.tags:
            out.append("// " + " ".join(f"[tag:{tag.replace(']', '\\]')}]" for tag in question.tags))
        head = f"::{escape(question_name(question.stem))}::[plain]{escape(question.stem)} {{"
        general = f"####{escape(question.explanation)}" if question.explanation else ""
        if question.form == "true_false" and question.options == TRUE_FALSE:
            true = question.answer == 0
            right, wrong = question.notes[question.answer], question.notes[1 - question.answer]
            feedback = "".join(f"#{escape(note)}" for note in (wrong, right)) if right or wrong else ""
            out.append(f"{head}{'TRUE' if true else 'FALSE'}{feedback}{general}}}")
        else:
            out.append(head)
            for index, option in enumerate(question.options):
                mark = "=" if index == question.answer else "~"
                note = question.notes[index] if index < len(question.notes) else ""
                out.append(f"\t{mark}{escape(option)}" + (f"#{escape(note)}" if note else ""))
            if general:
                out.append(f"\t{general}")
            out.append("}")
        out.append("")
    return "\n".join(out)
