"""A small, fully askable bank for the API tests, and a teacher with an API token.

The bank has 11 Open Trivia DB entries: four settled year facts (each a multiple-choice
and a true/false entry), one disputed year fact (multiple choice, "hard"), and two
published teacher questions (one multiple choice, one True/False). A draft and an
archived teacher question are there too, and must never be served.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from content.models import Fact, Tag, Topic
from quiz.accounts.throttle import Limit
from quiz.api import opentdb
from quiz.api.models import ApiToken
from quiz.models import TEACHERS_GROUP, Difficulty, Question
from tests.factories import (
    ChoiceFactory,
    CitationFactory,
    FactFactory,
    QuestionFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    TopicFactory,
    UserFactory,
)

BANK_SIZE = 11
#: A teacher question's text with every character the encodings treat specially.
TRICKY = 'Who said "Ça ira" & <b>why</b>? It\'s 50% + ~1 = ½'


@dataclass
class Bank:
    topic: Topic
    tag: Tag
    lone_tag: Tag
    facts: list[Fact]
    disputed: Fact
    multiple: Question
    boolean: Question


def _teacher_question(topic: Topic, stem: str, choices: list[tuple[str, bool]], **kwargs) -> Question:
    question = QuestionFactory(topic=topic, stem=stem, **kwargs)
    for order, (text, correct) in enumerate(choices):
        ChoiceFactory(question=question, text=text, is_correct=correct, order=order)
    return question


@pytest.fixture
def bank(db) -> Bank:
    topic = TopicFactory(slug="north-korea-russia", title="Treaties of the East")
    tag = TagFactory(slug="treaties", name="Treaties")
    lone_tag = TagFactory(slug="songs", name="Songs")
    section = SectionFactory(topic=topic, slug="signing", context="signing treaties")
    source = SourceFactory(topic=topic, key="annals", title="The Annals", url="https://example.org/annals")
    other = SourceFactory(topic=topic, key="chronicle", title="The Chronicle")
    facts = []
    for n, year in enumerate([1689, 1727, 1858, 1860]):
        fact = FactFactory(
            topic=topic,
            slug=f"treaty-{n}",
            subject=f"was treaty number {n} signed",
            statement=f"Treaty number {n} was signed in {year}.",
            answer=str(year),
            section=section,
        )
        fact.tags.add(tag)
        CitationFactory(fact=fact, source=source)
        facts.append(fact)
    disputed = FactFactory(
        topic=topic,
        slug="border-agreed",
        subject="was the border agreed",
        statement="The border was agreed in 1884.",
        answer="1884",
        section=section,
    )
    CitationFactory(fact=disputed, source=source, value="1884")
    CitationFactory(fact=disputed, source=other, value="1886")
    disputed.refresh_disputed()
    multiple = _teacher_question(
        topic,
        TRICKY,
        [("Danton", True), ("Marat", False), ("Robespierre & co", False)],
        difficulty=Difficulty.MEDIUM,
        section=section,
    )
    multiple.tags.add(lone_tag)
    boolean = _teacher_question(
        topic,
        "The Annals were written in Latin.",
        [("True", False), ("False", True)],
        difficulty=Difficulty.EASY,
    )
    _teacher_question(
        topic, "A draft nobody sees?", [("A", True), ("B", False)], status=Question.Status.DRAFT
    )
    _teacher_question(topic, "An archived one?", [("A", True), ("B", False)], status=Question.Status.ARCHIVED)
    return Bank(topic, tag, lone_tag, facts, disputed, multiple, boolean)


@pytest.fixture
def no_rate_limit(monkeypatch):
    """Raise the Open Trivia DB rate limit far out of reach (tests that are not about it)."""
    monkeypatch.setattr(opentdb, "RATE_LIMIT", Limit("opentdb-test", 1_000_000, opentdb.RATE_LIMIT.window))


@pytest.fixture
def teacher(db):
    user = UserFactory(username="teacher")
    user.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    return user


@pytest.fixture
def teacher_key(teacher) -> str:
    _, key = ApiToken.issue(teacher)
    return key


@pytest.fixture
def auth(teacher_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {teacher_key}"}
