"""The REST API's request and response shapes (pydantic, via django-ninja's ``Schema``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator


def storable(value: str) -> str:
    """Refuse text no database column can hold: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


Text = Annotated[str, AfterValidator(storable)]


class ErrorOut(Schema):
    detail: str


class TagOut(Schema):
    slug: str
    name: str
    description: str
    url: str


class TagPage(Schema):
    count: int
    page: int
    pages: int
    items: list[TagOut]


class DossierOut(Schema):
    slug: str
    title: str
    summary: str
    url: str
    updated_at: dt.datetime


class DossierPage(Schema):
    count: int
    page: int
    pages: int
    items: list[DossierOut]


class SourceOut(Schema):
    key: str
    title: str
    publisher: str
    kind: str
    date: str
    url: str


class SectionSummary(Schema):
    slug: str
    heading: str
    url: str


class DossierDetail(DossierOut):
    definition: str
    sections: list[SectionSummary]
    sources: list[SourceOut]
    tags: list[TagOut]
    fact_count: int
    disputed_fact_count: int


class SectionOut(Schema):
    slug: str
    context: str
    heading: str
    body: str
    url: str
    tags: list[str]
    sources: list[str]


class SectionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[SectionOut]


class EventOut(Schema):
    slug: str
    title: str
    summary: str
    year: int
    month: int | None
    day: int | None
    end_year: int | None
    date_label: str
    passage_url: str
    tags: list[str]
    sources: list[str]


class EventPage(Schema):
    count: int
    page: int
    pages: int
    items: list[EventOut]


class CitationOut(Schema):
    source: str = Field(description="The cited source's key (see the dossier's sources).")
    source_title: str
    value: str = Field(description="The value this source gives; empty when it gives the fact's answer.")
    locator: str


class ValueOut(Schema):
    value: str
    sources: list[str] = Field(description="Keys of the sources that give this value.")


class FactOut(Schema):
    slug: str
    subject: str
    statement: str
    kind: str
    answer: str
    unit: str
    year: int | None
    passage_url: str
    tags: list[str]
    disputed: bool
    dispute_note: str
    values: list[ValueOut] = Field(description="Every value the sources give, with who gives it.")
    citations: list[CitationOut]


class FactPage(Schema):
    count: int
    page: int
    pages: int
    items: list[FactOut]


class GeneratedOut(Schema):
    form: str = Field(description="multiple_choice, true_false, first, order, not_before, recall or match.")
    stem: str
    options: list[str] = Field(
        description="The options as shown; for recall, the spellings that count; for match, the "
        "items to match, then the values to match them with."
    )
    answer: int | list[int] = Field(
        description="Index of the right option; for order, the right order; for match, the index "
        "(in options) of each item's value, item by item."
    )
    explanation: str
    notes: list[str]
    passage_url: str
    passage_title: str
    sources: list[str]
    tags: list[str]
    fact_ids: list[int]
    question_id: int | None


class GeneratedSet(Schema):
    seed: int = Field(description="Ask again with this seed for the same questions.")
    questions: list[GeneratedOut]


Difficulty = Literal["easy", "medium", "hard"]


class ChoiceIn(Schema):
    text: Text = Field(min_length=1, max_length=300)
    correct: bool = False
    note: Text = Field("", max_length=300)


class QuestionIn(Schema):
    dossier: Text = Field(description="The dossier's slug.", max_length=50)
    stem: Text = Field(min_length=1, max_length=2000)
    explanation: Text = Field(min_length=1, max_length=5000)
    choices: list[ChoiceIn] = Field(min_length=2, max_length=6, description="2 to 6, exactly one correct.")
    difficulty: Difficulty = "medium"
    status: Literal["draft", "published"] = "draft"
    tags: list[Annotated[Text, Field(max_length=50)]] = Field(default_factory=list, max_length=20)
    section: Text | None = Field(None, max_length=50, description="Slug of a passage of the dossier.")


class ChoiceOut(Schema):
    text: str
    correct: bool
    note: str


class QuestionOut(Schema):
    id: int
    dossier: str
    stem: str
    explanation: str
    choices: list[ChoiceOut]
    difficulty: Difficulty
    status: Literal["draft", "published", "archived"]
    tags: list[str]
    section: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class QuestionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[QuestionOut]


class ClassOut(Schema):
    id: int
    name: str
    join_code: str
    student_count: int


class StudentProgress(Schema):
    username: str
    joined_at: dt.datetime
    left_at: dt.datetime | None
    attempts: int
    average_percent: float | None
    last_played: dt.datetime | None


class AttemptOut(Schema):
    id: str
    student: str
    quiz: str
    mode: str
    score: int
    length: int
    answered: int
    started_at: dt.datetime
    finished_at: dt.datetime | None


class ClassResults(Schema):
    classroom: ClassOut
    students: list[StudentProgress]
    attempts: list[AttemptOut]
    attempt_count: int
    page: int
    pages: int
