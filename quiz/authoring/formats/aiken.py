"""Moodle's Aiken format: multiple-choice questions in plain text, read only.

::

    What is the correct answer to this question?
    A. Is it this one?
    B) Maybe this answer?
    ANSWER: B

The question (one or more lines), then the choices, each a capital letter in order (A, B,
C...) followed by ``.`` or ``)`` and a space, then ``ANSWER:`` and the right letter.
Blank lines between questions are optional. Aiken has no feedback, so the questions come
without explanations (and, like every import, as drafts): write one before publishing.
"""

from __future__ import annotations

import re

from quiz.authoring.formats.common import LineError, MoodleQuestion

_CHOICE = re.compile(r"([A-Z])[.)][ \t]+(.*)")
_ANSWER = re.compile(r"ANSWER:\s*(.*)")


def parse_aiken(text: str) -> tuple[list[MoodleQuestion], list[LineError]]:
    """The file's questions and its problems, each with its line."""
    questions: list[MoodleQuestion] = []
    errors: list[LineError] = []
    stem: list[str] = []
    start = 0
    choices: list[str] = []
    choice_lines: list[int] = []
    broken = False

    def reset() -> None:
        nonlocal stem, choices, choice_lines, broken
        stem, choices, choice_lines, broken = [], [], [], False

    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if answer := _ANSWER.fullmatch(line):
            letter = answer.group(1).strip()
            if not stem:
                errors.append(LineError(number, None, "ANSWER: with no question before it"))
            elif not choices:
                errors.append(LineError(number, None, "ANSWER: but the question has no choices (A. ...)"))
            elif not re.fullmatch(r"[A-Z]", letter):
                errors.append(
                    LineError(number, None, f"“{letter}” is not a choice's letter; write e.g. ANSWER: B")
                )
            elif ord(letter) - ord("A") >= len(choices):
                last = chr(ord("A") + len(choices) - 1)
                errors.append(LineError(number, None, f"ANSWER: {letter}, but the choices run A to {last}"))
            elif not broken:
                questions.append(
                    MoodleQuestion(
                        line=start,
                        stem="\n".join(stem),
                        choices=choices,
                        correct=ord(letter) - ord("A"),
                        notes=[""] * len(choices),
                        choice_lines=choice_lines,
                    )
                )
            reset()
        elif choice := _CHOICE.fullmatch(line):
            if not stem:
                errors.append(LineError(number, None, "a choice with no question before it"))
                broken = True
                continue
            expected = chr(ord("A") + len(choices))
            if choice.group(1) != expected:
                errors.append(
                    LineError(number, None, f"choice {choice.group(1)} where {expected} was expected")
                )
                broken = True
            choices.append(choice.group(2).strip())
            choice_lines.append(number)
        elif choices:
            errors.append(
                LineError(
                    number,
                    None,
                    "expected the next choice (a letter, “.” or “)”, a space) or the ANSWER: line",
                )
            )
            broken = True
        else:
            if not stem:
                start = number
            stem.append(line)
    if stem or choices:
        errors.append(LineError(start, None, "this question has no ANSWER: line"))
    return questions, errors
