"""A dossier as plain data: what :func:`load_dossier` returns and :func:`import_dossier` writes.

Every value is already checked and parsed (dates into year/month/day, slugs validated,
citation values defaulted to the answer), so writing it cannot fail on content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DossierProblem:
    """One thing wrong with a dossier file, located by line and field path."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}"
        return f"{location}: {self.field}: {self.message}" if self.field else f"{location}: {self.message}"


class DossierError(Exception):
    """The file is not a valid dossier. Carries every problem found, in line order."""

    def __init__(self, problems: list[DossierProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class CitationData:
    source: str
    value: str = ""
    locator: str = ""
    note: str = ""


@dataclass
class SourceData:
    key: str
    title: str
    short_name: str = ""
    publisher: str = ""
    kind: str = "other"
    date: datetime.date | None = None
    date_precision: str = "day"  # "year" or "month": ``date`` is the first day of it
    url: str = ""
    note: str = ""


@dataclass
class TagData:
    slug: str
    name: str
    description: str = ""


@dataclass
class SectionData:
    slug: str
    context: str
    body: str
    tags: list[str] = field(default_factory=list)
    cite: list[CitationData] = field(default_factory=list)


@dataclass
class EventData:
    slug: str
    year: int
    title: str
    summary: str
    month: int | None = None
    day: int | None = None
    end_year: int | None = None
    section: str = ""
    tags: list[str] = field(default_factory=list)
    cite: list[CitationData] = field(default_factory=list)


@dataclass
class FactData:
    slug: str
    kind: str
    subject: str
    statement: str
    answer: str
    stem: str = ""
    unit: str = ""
    aliases: list[str] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)
    answer_class: str = ""
    year: int | None = None
    era_start: int | None = None
    era_end: int | None = None
    section: str = ""
    event: str = ""
    tags: list[str] = field(default_factory=list)
    explanation: str = ""
    dispute: str = ""
    cite: list[CitationData] = field(default_factory=list)


@dataclass
class TopicData:
    slug: str
    title: str
    definition: str
    summary: str = ""
    cite: list[CitationData] = field(default_factory=list)


@dataclass
class DossierData:
    topic: TopicData
    sources: list[SourceData] = field(default_factory=list)
    tags: list[TagData] = field(default_factory=list)
    sections: list[SectionData] = field(default_factory=list)
    events: list[EventData] = field(default_factory=list)
    facts: list[FactData] = field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    topic: str
    sections: int
    events: int
    facts: int
    disputed: int
    sources: int
    tags: int
    created: bool = False
    removed: int = 0

    def __str__(self) -> str:
        line = (
            f"Imported {self.topic}: {self.sections} sections, {self.events} events, "
            f"{self.facts} facts ({self.disputed} disputed), {self.sources} sources, {self.tags} tags"
        )
        if self.removed:
            line += f"; removed {self.removed} rows the file no longer lists"
        return line + "."
