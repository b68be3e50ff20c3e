"""Question files in and out: CSV, Moodle's GIFT, Aiken and Moodle XML.

:func:`import_file` reads any of them into teacher questions with the CSV import's rule
(every question checked, then all written or none; each problem named by its row or line).
:mod:`quiz.authoring.formats.export` gathers what to export (a teacher's questions, a quiz,
a dossier's generated bank) and writes it as GIFT or Moodle XML.

The format is named by the caller or found from the file name (:func:`detect_format`):
``.csv``, ``.gift``, ``.xml``, ``.aiken``; a ``.txt`` file (Moodle uses it for both GIFT
and Aiken) is GIFT when it has a ``{``, Aiken when a line starts with ``ANSWER:``.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING

from quiz.authoring.csv_import import ImportResult, import_questions
from quiz.authoring.formats.aiken import parse_aiken
from quiz.authoring.formats.common import LineError, import_parsed
from quiz.authoring.formats.gift import parse_gift
from quiz.authoring.formats.moodle_xml import parse_moodle_xml

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from content.models import Topic

#: Format names, as ``--format`` and the admin page take them, with what people call them.
FORMATS = {
    "csv": "CSV (comma or semicolon separated)",
    "gift": "Moodle GIFT",
    "aiken": "Aiken",
    "xml": "Moodle XML",
}
#: The formats whose files do not name the dossier: the importer is told which.
NEED_TOPIC = ("gift", "aiken", "xml")
_EXTENSIONS = {".csv": "csv", ".gift": "gift", ".aiken": "aiken", ".xml": "xml"}


def detect_format(name: str, data: bytes) -> str | None:
    """The format of a file called ``name`` holding ``data``, or None when it cannot be told."""
    extension = PurePath(name).suffix.lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if extension != ".txt":
        return None
    text = data.decode("utf-8", errors="replace")
    if re.search(r"^\s*ANSWER:", text, re.MULTILINE):
        return "aiken"
    if "{" in text:
        return "gift"
    return None


def import_file(
    data: bytes, *, format: str, topic: Topic | None = None, author: User | None = None
) -> ImportResult:
    """Import the questions of a file in ``format``: all, or none and every problem.

    ``topic``: the dossier the questions go to, required for GIFT, Aiken and Moodle XML
    (a CSV file names the dossier of each row).
    """
    if format == "csv":
        return import_questions(data, author=author)
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    if topic is None:
        raise ValueError(f"a {FORMATS[format]} import needs the dossier the questions go to")
    if format == "xml":
        questions, errors = parse_moodle_xml(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return ImportResult(
                errors=[LineError(line, None, "not UTF-8 text; save the file as UTF-8 and try again")]
            )
        questions, errors = parse_gift(text) if format == "gift" else parse_aiken(text)
    return import_parsed(questions, errors, topic=topic, author=author)
