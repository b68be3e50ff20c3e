"""A realistic fact bank for the question engine's tests, built with the shared factories.

Modelled on the North Korea–Russia dossier: years across three centuries, people,
places, treaties, a quantity with a unit, a disputed year and a disputed person, a
timeline with a year-only event beside a dated one in the same year, and an event whose
date the sources dispute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from content.models import Fact, Section, Source, Tag, TimelineEvent, Topic
from quiz.models import Attempt, Item
from tests.factories import (
    AttemptFactory,
    CitationFactory,
    FactFactory,
    ItemFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    TimelineEventFactory,
    TopicFactory,
    UserFactory,
)


@dataclass
class Bank:
    topic: Topic
    sources: dict[str, Source] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    events: dict[str, TimelineEvent] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)

    def fact(
        self,
        slug: str,
        kind: str,
        subject: str,
        answer: str,
        statement: str,
        *,
        tags: tuple[str, ...] = (),
        cite: tuple[tuple[str, str | None], ...] = (("wiki", None),),
        section: str | None = None,
        event: str | None = None,
        **extra,
    ) -> Fact:
        fact = FactFactory(
            topic=self.topic,
            slug=slug,
            kind=kind,
            subject=subject,
            answer=answer,
            statement=statement,
            section=self.sections.get(section) if section else None,
            event=self.events.get(event) if event else None,
            **extra,
        )
        fact.tags.set([self.tags[t] for t in tags])
        for key, value in cite:
            CitationFactory(source=self.sources[key], fact=fact, value=value if value is not None else answer)
        fact.refresh_disputed()
        fact.refresh_from_db()
        self.facts[slug] = fact
        return fact


YEARS = [
    # slug, subject, answer, statement, tags, era
    (
        "nerchinsk",
        "did Russia and Qing China sign the Treaty of Nerchinsk",
        "1689",
        "Russia and Qing China signed the Treaty of Nerchinsk in 1689.",
        ("treaties", "borders"),
    ),
    (
        "aigun",
        "was the Treaty of Aigun signed",
        "1858",
        "The Treaty of Aigun was signed in 1858.",
        ("treaties", "borders"),
    ),
    (
        "peking",
        "was the Convention of Peking signed",
        "1860",
        "The Convention of Peking was signed in 1860.",
        ("treaties", "borders"),
    ),
    (
        "liberation",
        "did Soviet troops enter northern Korea",
        "1945",
        "Soviet troops entered northern Korea in 1945.",
        ("cold-war",),
    ),
    (
        "dprk-founded",
        "was the DPRK founded",
        "1948",
        "The DPRK was founded in 1948.",
        ("cold-war", "leaders"),
    ),
    ("korean-war", "did the Korean War begin", "1950", "The Korean War began in 1950.", ("cold-war", "war")),
    (
        "armistice",
        "was the Korean Armistice Agreement signed",
        "1953",
        "The Korean Armistice Agreement was signed in 1953.",
        ("cold-war", "war", "treaties"),
    ),
    (
        "friendship-1961",
        "did the USSR and the DPRK sign their treaty of friendship",
        "1961",
        "The USSR and the DPRK signed their treaty of friendship in 1961.",
        ("cold-war", "treaties"),
    ),
    (
        "ussr-collapse",
        "did the Soviet Union dissolve",
        "1991",
        "The Soviet Union dissolved in 1991.",
        ("cold-war",),
    ),
    (
        "friendship-2000",
        "did Russia and the DPRK sign a new friendship treaty",
        "2000",
        "Russia and the DPRK signed a new friendship treaty in 2000.",
        ("treaties",),
    ),
    (
        "partnership",
        "did Russia and the DPRK sign the Comprehensive Strategic Partnership",
        "2024",
        "Russia and the DPRK signed the Comprehensive Strategic Partnership in 2024.",
        ("treaties",),
    ),
]

PEOPLE = [
    (
        "first-leader",
        "led North Korea from 1948 to 1994",
        "Kim Il-sung",
        "Kim Il-sung led North Korea from 1948 to 1994.",
        ("leaders",),
        ["Kim Il Sung"],
    ),
    (
        "second-leader",
        "led North Korea from 1994 to 2011",
        "Kim Jong-il",
        "Kim Jong-il led North Korea from 1994 to 2011.",
        ("leaders",),
        [],
    ),
    (
        "third-leader",
        "has led North Korea since 2011",
        "Kim Jong-un",
        "Kim Jong-un has led North Korea since 2011.",
        ("leaders",),
        [],
    ),
    (
        "stalin",
        "led the Soviet Union during the Korean War",
        "Joseph Stalin",
        "Joseph Stalin led the Soviet Union during the Korean War.",
        ("leaders", "war"),
        ["Stalin"],
    ),
    (
        "putin",
        "visited Pyongyang in 2024",
        "Vladimir Putin",
        "Vladimir Putin visited Pyongyang in 2024.",
        ("leaders",),
        [],
    ),
    (
        "khrushchev",
        "led the Soviet Union when the 1961 treaty was signed",
        "Nikita Khrushchev",
        "Nikita Khrushchev led the Soviet Union when the 1961 treaty was signed.",
        ("leaders",),
        [],
    ),
]

PLACES = [
    (
        "border-river",
        "does the Russia–North Korea border run",
        "the Tumen River",
        "The Russia–North Korea border runs along the Tumen River.",
        ("borders",),
    ),
    ("bridge", "is the Friendship Bridge", "Khasan", "The Friendship Bridge is at Khasan.", ("borders",)),
    (
        "summit-2019",
        "did Kim Jong-un and Putin meet in 2019",
        "Vladivostok",
        "Kim Jong-un and Putin met in Vladivostok in 2019.",
        ("leaders",),
    ),
    (
        "capital",
        "is the capital of North Korea",
        "Pyongyang",
        "The capital of North Korea is Pyongyang.",
        ("leaders",),
    ),
]

TREATIES = [
    (
        "treaty-1689",
        "fixed the first Russia–China border in the Far East",
        "Treaty of Nerchinsk",
        "The Treaty of Nerchinsk fixed the first Russia–China border in the Far East.",
        ("treaties",),
    ),
    (
        "treaty-1860",
        "gave Russia the coast down to the Tumen",
        "Convention of Peking",
        "The Convention of Peking gave Russia the coast down to the Tumen.",
        ("treaties", "borders"),
    ),
    (
        "treaty-1953",
        "ended the fighting of 1950–1953 in a stalemate",
        "Korean Armistice Agreement",
        "The Korean Armistice Agreement ended the fighting of 1950–1953 in a stalemate.",
        ("treaties", "war"),
    ),
    (
        "treaty-1961",
        "bound the USSR to defend the DPRK",
        "Treaty of Friendship, Co-operation and Mutual Assistance",
        "The Treaty of Friendship, Co-operation and Mutual Assistance bound the USSR to defend the DPRK.",
        ("treaties",),
    ),
]


@pytest.fixture
def bank(db) -> Bank:
    """The whole realistic bank (see the module docstring)."""
    topic = TopicFactory(slug="nk-russia", title="North Korea–Russia relations")
    b = Bank(topic=topic)
    for key, title in [
        ("wiki", "Wikipedia: North Korea–Russia relations"),
        ("dictionary", "Historical Dictionary of the Russian Federation"),
        ("maps", "MapsOfWorld: Russia–North Korea border"),
    ]:
        b.sources[key] = SourceFactory(topic=topic, key=key, title=title)
    for slug in ["treaties", "borders", "cold-war", "leaders", "war", "economy"]:
        b.tags[slug] = TagFactory(slug=slug, name=slug.replace("-", " ").title())
    for order, (slug, context) in enumerate(
        [("borders", "the border"), ("cold-war", "the Cold War"), ("today", "the present day")]
    ):
        b.sections[slug] = SectionFactory(topic=topic, slug=slug, context=context, order=order)

    for slug, year, month, day, title, tags in [
        ("nerchinsk", 1689, None, None, "Treaty of Nerchinsk", ("treaties",)),
        ("peking", 1860, None, None, "Convention of Peking", ("treaties", "borders")),
        ("liberation", 1945, 8, None, "Soviet entry into Korea", ("cold-war",)),
        ("war-year", 1950, None, None, "Start of the Korean War (year only)", ("war",)),
        ("war-day", 1950, 6, 25, "North Korean invasion of the South", ("war",)),
        ("armistice", 1953, 7, 27, "Korean Armistice Agreement", ("war", "treaties")),
        ("treaty-1961", 1961, 7, 6, "Treaty of Friendship signed", ("treaties",)),
        ("collapse", 1991, 12, 26, "Dissolution of the Soviet Union", ("cold-war",)),
        ("summit", 2019, 4, 25, "Vladivostok summit", ("leaders",)),
        ("visit", 2024, 6, 19, "Putin visits Pyongyang", ("leaders", "treaties")),
        ("disputed-founding", 1948, None, None, "Founding of the DPRK", ("cold-war",)),
    ]:
        event = TimelineEventFactory(
            topic=topic,
            slug=slug,
            year=year,
            month=month,
            day=day,
            title=title,
            summary=f"{title}.",
            section=b.sections["cold-war"],
        )
        event.tags.set([b.tags[t] for t in tags])
        CitationFactory(source=b.sources["wiki"], fact=None, event=event, value="")
        b.events[slug] = event

    for slug, subject, answer, statement, tags in YEARS:
        b.fact(
            slug,
            Fact.Kind.YEAR,
            subject,
            answer,
            statement,
            tags=tags,
            section="borders",
            cite=(("wiki", None), ("maps", None)),
        )
    for slug, subject, answer, statement, tags, aliases in PEOPLE:
        b.fact(
            slug, Fact.Kind.PERSON, subject, answer, statement, tags=tags, aliases=aliases, section="cold-war"
        )
    for slug, subject, answer, statement, tags in PLACES:
        b.fact(slug, Fact.Kind.PLACE, subject, answer, statement, tags=tags, section="borders")
    for slug, subject, answer, statement, tags in TREATIES:
        b.fact(slug, Fact.Kind.TREATY, subject, answer, statement, tags=tags, section="borders")
    b.fact(
        "border-length",
        Fact.Kind.NUMBER,
        "long is the Russia–North Korea border",
        "17",
        "The Russia–North Korea border is 17 km long.",
        unit="km",
        tags=("borders",),
        stem="How many kilometres long is the Russia–North Korea border?",
    )
    # Disputed: two sources give different founding years; the event above carries it.
    b.fact(
        "founding-disputed",
        Fact.Kind.YEAR,
        "was the Korean Workers' Party founded",
        "1949",
        "The Korean Workers' Party was founded in 1949.",
        tags=("cold-war",),
        event="disputed-founding",
        cite=(("wiki", "1949"), ("dictionary", "1946")),
        dispute_note="Some count from the 1946 North Korean party, others from the 1949 merger.",
    )
    b.fact(
        "envoy-disputed",
        Fact.Kind.PERSON,
        "was the first Soviet ambassador to the DPRK",
        "Terentii Shtykov",
        "Terentii Shtykov was the first Soviet ambassador to the DPRK.",
        tags=("cold-war", "leaders"),
        cite=(("wiki", "Terentii Shtykov"), ("dictionary", "Nikita Khrushchev")),
        dispute_note="One reference names the Soviet leader instead of the envoy.",
    )
    # Organisations: only two, too few siblings for three distractors.
    b.fact(
        "org-comintern",
        Fact.Kind.ORGANISATION,
        "helped found the Korean communist movement",
        "Comintern",
        "The Comintern helped found the Korean communist movement.",
        tags=("cold-war",),
    )
    b.fact(
        "org-un",
        Fact.Kind.ORGANISATION,
        "sanctioned North Korea from 2006",
        "UN Security Council",
        "The UN Security Council sanctioned North Korea from 2006.",
        tags=("economy",),
    )
    # A statement that does not contain its answer verbatim (no true/false from it).
    b.fact(
        "rail-link",
        Fact.Kind.YEAR,
        "did the Khasan–Rajin rail link reopen",
        "2013",
        "The Khasan–Rajin rail link reopened in the 2010s.",
        tags=("borders", "economy"),
    )
    return b


# Helpers the play, results and class tests share --------------------------------


def make_attempt(
    *, user=None, session_key: str = "", length: int = 3, served: bool = True, **extra
) -> Attempt:
    """An attempt of ``length`` multiple-choice items (option 0 right); item 1 already shown."""
    if user is None and not session_key:
        user = UserFactory()
    attempt = AttemptFactory(user=user, session_key=session_key, length=length, **extra)
    for position in range(1, length + 1):
        ItemFactory(
            attempt=attempt,
            position=position,
            options=["1689", "1858", "1860", "1945"],
            correct=0,
            notes=["", "The Treaty of Aigun", "The Convention of Peking", "Soviet entry into Korea"],
            passage_url="/dossiers/nk/#section-borders",
            passage_title="North Korea in the context of the border",
            sources=["Wikipedia"],
            served_at=timezone.now() if served and position == 1 else None,
        )
    return attempt


def answer_data(item: Item, right: bool = True) -> dict[str, str]:
    """POST data answering ``item`` right (or wrong), whatever its form."""
    if item.form == Item.Form.RECALL:
        return {"typed": item.options[0] if right else "not the answer at all"}
    if item.form == Item.Form.ORDER:
        order = list(item.correct) if right else list(reversed(item.correct))
        return {f"place_{option}": str(order.index(option) + 1) for option in range(len(item.options))}
    if item.form == Item.Form.MATCH:
        matched = list(item.correct) if right else list(reversed(item.correct))
        return {f"match_{left}": str(value) for left, value in enumerate(matched)}
    correct = int(item.correct)
    return {"choice": str(correct if right else (correct + 1) % len(item.options))}
