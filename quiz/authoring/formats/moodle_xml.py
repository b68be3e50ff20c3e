"""Moodle XML: reading teacher questions, and writing ours.

Read with ``defusedxml`` (a file declaring a DTD or entities, the "billion laughs" bomb
among them, is refused before anything is expanded). Questions of type ``multichoice``
(one answer at 100 %, the rest at 0 %) and ``truefalse`` are imported with their answer
feedback and general feedback (the explanation) and ``<tags>``; ``category`` entries are
skipped (the teacher picks the dossier). Every other type (shortanswer, matching,
numerical, essay, cloze, description, calculated, drag-and-drop...) is refused with its
line, as are partial credit, several right answers, hints, and embedded files or images.
Moodle's scoring and display settings (grade, penalty, shuffling, numbering, the generic
"Your answer is correct." feedback...) are not questions' content and are not kept.

Written: ``plain_text`` texts (Moodle shows them escaped), notes as answer feedback, the
explanation (with its sources) as general feedback, tags as ``<tags>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from quiz.authoring.formats.common import TRUE_FALSE, LineError, MoodleQuestion, plain_text
from quiz.authoring.formats.gift import question_name
from quiz.generation import GeneratedQuestion

#: Settings of a Moodle question that hold no text a student reads.
_SETTINGS = {
    "name",
    "defaultgrade",
    "penalty",
    "hidden",
    "idnumber",
    "single",
    "shuffleanswers",
    "answernumbering",
    "showstandardinstruction",
    "shownumcorrect",
    "correctfeedback",
    "partiallycorrectfeedback",
    "incorrectfeedback",
}
_WHY_NOT = {
    "shortanswer": "a typed answer cannot be asked as multiple choice",
    "numerical": "a typed number or range cannot be asked as multiple choice",
    "match": "matching pairs are not one right answer",
    "matching": "matching pairs are not one right answer",
    "essay": "an essay has no right answer to choose",
    "cloze": "embedded answers (cloze) are several questions in one",
    "multianswer": "embedded answers (cloze) are several questions in one",
    "description": "a description is not a question",
}


class _Tree(ContentHandler):
    """Builds an ElementTree from SAX events, noting each element's line."""

    def __init__(self) -> None:
        super().__init__()
        self.builder = ET.TreeBuilder()
        self.lines: dict[ET.Element, int] = {}
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        element = self.builder.start(name, dict(attrs))
        self.lines[element] = (self.locator.getLineNumber() or 0) if self.locator else 0

    def endElement(self, name: str) -> None:
        self.builder.end(name)

    def characters(self, content: str) -> None:
        self.builder.data(content)


def parse_moodle_xml(data: bytes) -> tuple[list[MoodleQuestion], list[LineError]]:
    """The file's questions and its problems, each with its line."""
    tree = _Tree()
    try:
        defusedxml.sax.parseString(data, tree, forbid_dtd=True)
    except DefusedXmlException:
        return [], [
            LineError(
                1,
                None,
                "the file declares a DTD or entities, which Moodle never writes; refused, since "
                "entities can expand a small file into gigabytes",
            )
        ]
    except SAXParseException as exc:
        return [], [LineError(exc.getLineNumber(), None, f"not well-formed XML: {exc.getMessage()}")]
    root = tree.builder.close()
    if root.tag != "quiz":
        return [], [
            LineError(tree.lines[root], None, f"the file's root is <{root.tag}>, not Moodle's <quiz>")
        ]
    reader = _Reader(tree.lines)
    questions = []
    for element in root:
        if element.tag != "question":
            reader.error(element, f"<{element.tag}> in <quiz>; Moodle XML holds <question> elements")
            continue
        question = reader.question(element)
        if question is not None:
            questions.append(question)
    return questions, reader.errors


class _Reader:
    def __init__(self, lines: dict[ET.Element, int]) -> None:
        self.lines = lines
        self.errors: list[LineError] = []
        self.failed = False

    def error(self, element: ET.Element, message: str, part: str | None = None) -> None:
        self.errors.append(LineError(self.lines.get(element), part, message))
        self.failed = True

    def text(self, element: ET.Element | None, part: str) -> str:
        """The plain text of a Moodle text element (``<questiontext format="html"><text>``)."""
        if element is None:
            return ""
        if (file := element.find("file")) is not None:
            self.error(file, "holds an embedded file; files and images cannot be imported", part)
            return ""
        text, problem = plain_text(
            element.findtext("text") or "", element.get("format", "moodle_auto_format")
        )
        if problem:
            self.error(element, problem, part)
        return text

    def question(self, element: ET.Element) -> MoodleQuestion | None:
        kind = element.get("type", "")
        if kind == "category":
            return None
        if kind not in ("multichoice", "truefalse"):
            why = _WHY_NOT.get(kind, "our questions have one right answer among 2 to 6 choices")
            self.error(
                element,
                f"a {kind or 'untyped'} question: {why}; only multichoice and truefalse can be imported",
            )
            return None
        self.failed = False
        for child in element:
            if child.tag == "hint" and (child.findtext("text") or "").strip():
                self.error(child, "hints cannot be kept: our questions show no hints; remove them")
            elif child.tag not in (*_SETTINGS, "hint", "questiontext", "generalfeedback", "answer", "tags"):
                self.error(child, f"<{child.tag}> is not part of a {kind} question we can import")
        stem = self.text(element.find("questiontext"), "question text")
        explanation = self.text(element.find("generalfeedback"), "general feedback")
        tags = [
            (tag.findtext("text") or "").strip()
            for tag in element.iterfind("tags/tag")
            if (tag.findtext("text") or "").strip()
        ]
        choices: list[str] = []
        notes: list[str] = []
        lines: list[int] = []
        right: list[int] = []
        for n, answer in enumerate(element.iterfind("answer"), start=1):
            part = f"answer {n}"
            try:
                fraction = float(answer.get("fraction", "0"))
            except ValueError:
                self.error(answer, f"fraction “{answer.get('fraction')}” is not a number", part)
                continue
            if fraction not in (0.0, 100.0):
                self.error(
                    answer,
                    f"partial credit ({fraction:g}%) cannot be kept: our questions have one right "
                    "answer and score it whole",
                    part,
                )
            elif fraction == 100.0:
                right.append(len(choices))
            text = self.text(answer, part)
            if kind == "truefalse":
                text = {"true": "True", "false": "False"}.get(text.lower(), text)
            choices.append(text)
            notes.append(self.text(answer.find("feedback"), f"feedback on answer {n}"))
            lines.append(self.lines.get(answer, 0))
        if kind == "truefalse" and sorted(choices) != sorted(TRUE_FALSE):
            self.error(element, "a truefalse question's answers must be “true” and “false”")
        if len(right) != 1 and not self.failed:
            self.error(
                element,
                "no answer has fraction 100"
                if not right
                else f"{len(right)} right answers; our questions have exactly one "
                "(Moodle's several-answer questions cannot be imported)",
            )
        if self.failed:
            return None
        if kind == "truefalse" and choices != TRUE_FALSE:
            choices, notes = choices[::-1], notes[::-1]
            right = [1 - right[0]]
        return MoodleQuestion(
            line=self.lines.get(element, 0),
            stem=stem,
            choices=choices,
            correct=right[0],
            notes=notes,
            explanation=explanation,
            tags=tags,
            choice_lines=lines,
        )


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    # A parser reads a line break written as CR LF back as LF: write it so.
    ET.SubElement(element, "text").text = text.replace("\r\n", "\n")
    return element


def write_moodle_xml(
    groups: Iterable[tuple[str, Iterable[GeneratedQuestion]]], *, heading: str = ""
) -> bytes:
    """A Moodle XML file of each (category, questions) group: multiple choice, "which first"
    and true/false questions; an empty category name writes no category entry."""
    quiz = ET.Element("quiz")
    if heading:
        quiz.append(ET.Comment(f" {heading.replace('--', '—')} "))
    for category, questions in groups:
        if category:
            entry = ET.SubElement(quiz, "question", type="category")
            _text(entry, "category", f"$course$/top/{category.replace('/', '//')}")
        for question in questions:
            _write_question(quiz, question)
    ET.indent(quiz)
    # The declaration as Moodle writes it, first thing in the file (its importer wants that).
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{ET.tostring(quiz, encoding="unicode")}\n'.encode()


def _write_question(quiz: ET.Element, question: GeneratedQuestion) -> None:
    if isinstance(question.answer, list):
        raise ValueError(
            f"an ordering or matching question cannot be written as Moodle XML: {question.stem!r}"
        )
    true_false = question.form == "true_false" and question.options == TRUE_FALSE
    element = ET.SubElement(quiz, "question", type="truefalse" if true_false else "multichoice")
    _text(element, "name", question_name(question.stem))
    _text(element, "questiontext", question.stem, format="plain_text")
    _text(element, "generalfeedback", question.explanation, format="plain_text")
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = "1" if true_false else "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    if not true_false:
        ET.SubElement(element, "single").text = "true"
        ET.SubElement(element, "shuffleanswers").text = "true"
        ET.SubElement(element, "answernumbering").text = "abc"
    for index, option in enumerate(question.options):
        fraction = "100" if index == question.answer else "0"
        text = option.lower() if true_false else option
        answer = _text(element, "answer", text, fraction=fraction, format="plain_text")
        note = question.notes[index] if index < len(question.notes) else ""
        _text(answer, "feedback", note, format="plain_text")
    if question.tags:
        tags = ET.SubElement(element, "tags")
        for tag in question.tags:
            _text(tags, "tag", tag)
