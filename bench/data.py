"""A synthetic bank of facts, sized at will, for measurements on a throwaway database.

The bank looks like a real dossier to every query the app makes: a published topic with
sources, sections, events and tags; facts of several kinds (years, numbers, people,
places), each with a citation and a tag or two, some disputed (two citations, two values);
and the topic's default quiz. Everything goes in with ``bulk_create`` in large batches, so
100,000 facts take seconds, not minutes.

Run as a program it prepares a database for a server in another process (the crash test
uses this, since its own process is bound to the test database)::

    python -m bench.data --database-url sqlite:////tmp/x/db.sqlite3 --facts 200 --users 3

It migrates, builds the bank and prints one JSON line: the topic and quiz slugs and the users.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from content.models import Topic

SLUG = "bench-topic"
PASSWORD = "bench-password-Kx7-loopback"
BATCH = 2000

PEOPLE = [
    "Kim Il-sung",
    "Kim Jong-il",
    "Kim Jong-un",
    "Joseph Stalin",
    "Nikita Khrushchev",
    "Leonid Brezhnev",
    "Mikhail Gorbachev",
    "Boris Yeltsin",
    "Vladimir Putin",
    "Terentii Shtykov",
    "Syngman Rhee",
    "Mao Zedong",
]
PLACES = [
    "Pyongyang",
    "Vladivostok",
    "Khasan",
    "Rason",
    "Tumen River",
    "Moscow",
    "Nakhodka",
    "Khabarovsk",
    "Wonsan",
    "Chongjin",
    "Sinuiju",
    "Kaesong",
]


def create_bank(facts: int, *, slug: str = SLUG) -> dict[str, Any]:
    """Create the topic with ``facts`` facts, or grow an existing one to that many."""
    from django.db import connection, transaction

    from content.models import Fact, Topic
    from quiz.models import Quiz

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a throwaway file: durability is not needed while loading
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        topic = Topic.objects.filter(slug=slug).first() or _create_topic(slug)
        have = Fact.objects.filter(topic=topic).count()
        if facts > have:
            _add_facts(topic, start=have, count=facts - have)
        quiz = Quiz.default_for(topic)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"topic": topic.slug, "quiz": quiz.slug, "quiz_id": quiz.pk, "facts": max(facts, have)}


def _create_topic(slug: str) -> Topic:
    from content.models import Citation, Section, Source, Tag, TimelineEvent, Topic

    topic = Topic.objects.create(
        slug=slug,
        title="Benchmark relations",
        summary="A synthetic dossier for measurements.",
        definition="A synthetic topic.\n\nIts facts are generated for the benchmark.",
    )
    Source.objects.bulk_create(
        Source(topic=topic, key=f"source-{i}", title=f"Source {i}", kind=Source.Kind.BOOK, order=i)
        for i in range(5)
    )
    Tag.objects.bulk_create(
        Tag(slug=f"{slug}-tag-{i}", name=f"Theme {i}", description="A synthetic theme.") for i in range(10)
    )
    Section.objects.bulk_create(
        Section(
            topic=topic,
            slug=f"section-{i}",
            context=f"Context {i}",
            body=f"Passage {i}.\n\nAnother paragraph of passage {i}.",
            order=i,
        )
        for i in range(20)
    )
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            topic=topic,
            slug=f"event-{i}",
            year=1860 + 3 * i,
            title=f"Event {i}",
            summary=f"Something happened in {1860 + 3 * i}.",
        )
        for i in range(50)
    )
    first_source = Source.objects.filter(topic=topic).first()
    assert first_source is not None  # created just above
    Citation.objects.create(source=first_source, topic=topic)
    return topic


def _fact_fields(n: int) -> dict[str, object]:
    """Fact ``n``: its kind rotates so every kind has plenty of answers to draw options from."""
    from content.models import Fact

    match n % 4:
        case 0:
            year = 1700 + n % 320
            return {
                "kind": Fact.Kind.YEAR,
                "subject": f"the year of synthetic event {n}",
                "statement": f"Synthetic event {n} happened in {year}.",
                "answer": str(year),
                "year": year,
            }
        case 1:
            value = 10 + (n * 7) % 5000
            return {
                "kind": Fact.Kind.NUMBER,
                "subject": f"the length of synthetic border {n}",
                "statement": f"Synthetic border {n} is {value} km long.",
                "answer": str(value),
                "unit": "km",
                "year": 1700 + n % 320,
            }
        case 2:
            person = PEOPLE[(n // 4) % len(PEOPLE)]
            return {
                "kind": Fact.Kind.PERSON,
                "subject": f"the leader who signed synthetic treaty {n}",
                "statement": f"{person} signed synthetic treaty {n}.",
                "answer": person,
                "year": 1900 + n % 120,
            }
        case _:
            place = PLACES[(n // 4) % len(PLACES)]
            return {
                "kind": Fact.Kind.PLACE,
                "subject": f"the city where synthetic summit {n} met",
                "statement": f"Synthetic summit {n} met in {place}.",
                "answer": place,
                "year": 1900 + n % 120,
            }


def _add_facts(topic: Topic, *, start: int, count: int) -> None:
    from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent

    rng = random.Random(start)
    sources = list(Source.objects.filter(topic=topic))
    sections = list(Section.objects.filter(topic=topic))
    events = list(TimelineEvent.objects.filter(topic=topic))
    tags = list(Tag.objects.filter(slug__startswith=f"{topic.slug}-tag-"))
    FactTag = Fact.tags.through
    for batch_start in range(start, start + count, BATCH):
        numbers = range(batch_start, min(batch_start + BATCH, start + count))
        facts = [
            Fact(
                topic=topic,
                slug=f"fact-{n}",
                explanation=f"The sources agree on fact {n}.",
                section=sections[n % len(sections)],
                # As in a real dossier, an event is the subject of a handful of facts.
                event=events[(n // 3) % len(events)] if n % 3 == 0 and n < 9 * len(events) else None,
                disputed=n % 50 == 7,
                dispute_note="The sources give two values." if n % 50 == 7 else "",
                sample_key=rng.random() or 0.5,
                **_fact_fields(n),
            )
            for n in numbers
        ]
        facts = Fact.objects.bulk_create(facts, batch_size=BATCH)
        citations = []
        links = []
        for fact, n in zip(facts, numbers, strict=True):
            citations.append(
                Citation(source=sources[n % len(sources)], fact=fact, value=fact.answer, locator=f"p. {n}")
            )
            if fact.disputed:
                other = str(int(fact.answer) + 1) if fact.answer.isdigit() else f"{fact.answer} (disputed)"
                citations.append(Citation(source=sources[(n + 1) % len(sources)], fact=fact, value=other))
            links.append(FactTag(fact_id=fact.pk, tag_id=tags[n % len(tags)].pk))
            if n % 5 == 0:
                links.append(FactTag(fact_id=fact.pk, tag_id=tags[(n + 3) % len(tags)].pk))
        Citation.objects.bulk_create(citations, batch_size=BATCH)
        FactTag.objects.bulk_create(links, batch_size=BATCH)


def create_players(count: int, *, prefix: str = "player", password: str = PASSWORD) -> list[str]:
    """``count`` users sharing one known password (hashed once: the hasher is slow on purpose)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    hashed = make_password(password)
    names = [f"{prefix}{i:03d}" for i in range(count)]
    User.objects.bulk_create(
        [User(username=name, email=f"{name}@example.com", password=hashed) for name in names],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return names


def setup_django(database_url: str, **extra: str) -> None:
    """Configure this process's Django for ``database_url`` with the server's settings."""
    from bench.server import server_env

    os.environ.update(server_env(database_url, static="plain", **extra))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--facts", type=int, default=200)
    parser.add_argument("--users", type=int, default=0)
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    migrate()
    result = create_bank(args.facts)
    result["users"] = create_players(args.users) if args.users else []
    result["password"] = PASSWORD
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
