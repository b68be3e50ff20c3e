"""Helpers for the dossier tests: the sample files, and a canonical dump of all content."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]


def _rows(queryset, *fields: str) -> list[tuple]:
    # repr as the key: rows mix None with strings, and aliases are lists.
    return sorted(queryset.values_list(*fields), key=repr)


def content_dump() -> dict[str, list[tuple]]:
    """Every content row and relation by natural keys (no pks, no timestamps, no sample keys).

    Two databases with equal dumps hold the same dossiers.
    """
    return {
        "topics": _rows(Topic.objects, "slug", "title", "summary", "definition", "published"),
        "tags": _rows(Tag.objects, "slug", "name", "description"),
        "sources": _rows(
            Source.objects,
            "topic__slug",
            "key",
            "title",
            "publisher",
            "kind",
            "date",
            "date_precision",
            "url",
            "note",
            "order",
        ),
        "sections": _rows(Section.objects, "topic__slug", "slug", "context", "body", "order"),
        "events": _rows(
            TimelineEvent.objects,
            "topic__slug",
            "slug",
            "year",
            "month",
            "day",
            "end_year",
            "title",
            "summary",
            "section__slug",
        ),
        "facts": _rows(
            Fact.objects,
            "topic__slug",
            "slug",
            "subject",
            "statement",
            "stem",
            "kind",
            "answer",
            "unit",
            "aliases",
            "distractors",
            "year",
            "section__slug",
            "event__slug",
            "explanation",
            "disputed",
            "dispute_note",
        ),
        "section_tags": _rows(
            Section.tags.through.objects, "section__topic__slug", "section__slug", "tag__slug"
        ),
        "event_tags": _rows(
            TimelineEvent.tags.through.objects,
            "timelineevent__topic__slug",
            "timelineevent__slug",
            "tag__slug",
        ),
        "fact_tags": _rows(Fact.tags.through.objects, "fact__topic__slug", "fact__slug", "tag__slug"),
        "citations": _rows(
            Citation.objects,
            "source__topic__slug",
            "source__key",
            "topic__slug",
            "section__slug",
            "event__slug",
            "fact__slug",
            "value",
            "locator",
            "note",
        ),
    }


@pytest.fixture
def small_yaml() -> str:
    """The text of tests/content/data/small.yaml: a valid dossier using every feature."""
    return (DATA / "small.yaml").read_text(encoding="utf-8")


@pytest.fixture
def write_dossier(tmp_path):
    """Write dossier text to a file under tmp_path and return its path."""

    def write(text: str, name: str = "dossier.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced (fails loudly if it is not there once)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str, *, last: bool = False) -> int:
    """The 1-based line number of the only line containing ``needle`` (or of the last one)."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert lines, f"{needle!r} is not in the text"
    assert last or len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[-1]
