"""The search index follows every write: the dossier import, the admin, bulk writes, migrations.

The database keeps it (SQLite: triggers into an FTS5 table; PostgreSQL: a trigger-filled,
GIN-indexed tsvector column), so these tests write the way each caller writes and search.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from content.dossier import import_dossier, load_dossier
from content.models import Fact, Section, Topic
from content.search import find, schema
from content.search.backends import PostgresIndex, SQLiteIndex
from content.search.query import Query, similarity
from tests.content.conftest import edit
from tests.factories import FactFactory, SectionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return [hit.obj.slug for hit in find(text)[0:100]]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
    return client


def test_the_import_indexes_a_dossier_and_a_new_import_updates_it(small_yaml, write_dossier):
    """Everything imported is found; re-importing a changed file finds the new words only."""
    import_dossier(load_dossier(write_dossier(small_yaml)))

    assert set(found("nerchinsk")) == {"imperial-borders", "nerchinsk-year"}
    assert found("began 1950") == ["korean-war"]
    assert found("song") == ["war-leader"]  # an alias, "Kim Il-song"

    changed = edit(small_yaml, "The war began in 1950.", "The war began in 1951.")
    changed = edit(
        changed, 'aliases: ["Kim Il Sung", Kim Il-song]', 'aliases: ["Kim Il Sung", "Kim Song-ju"]'
    )
    import_dossier(load_dossier(write_dossier(changed)))

    assert found("began 1950") == []
    assert found("began 1951") == ["korean-war"]
    assert found("song ju") == ["war-leader"]


def _fact_form(fact: Fact, **changes: str) -> dict:
    """The fact's admin change form as a browser posts it (no citations), with ``changes``."""
    data = {
        "topic": fact.topic_id,
        "slug": fact.slug,
        "kind": fact.kind,
        "subject": fact.subject,
        "stem": fact.stem,
        "statement": fact.statement,
        "answer": fact.answer,
        "unit": fact.unit,
        "aliases": json.dumps(fact.aliases),
        "distractors": json.dumps(fact.distractors),
        "year": "",
        "section": "",
        "event": "",
        "explanation": "",
        "dispute_note": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    return data | changes


def test_an_edited_fact_is_found_by_its_new_words_and_not_its_old(admin_client):
    """Statement and aliases edited in the admin: the next search sees the edit."""
    fact = FactFactory(slug="flight", statement="Zeppelins flew over the border.", answer="1915")
    assert found("zeppelins border") == ["flight"]

    response = admin_client.post(
        reverse("admin:content_fact_change", args=[fact.pk]),
        _fact_form(fact, statement="Airships flew over the border.", aliases='["Graf Hindenburg"]'),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert found("airships border") == ["flight"]
    assert found("hindenburg") == ["flight"]
    assert found("zeppelins border") == []


def test_an_edited_passage_is_found_by_its_new_words(admin_client):
    section = SectionFactory(slug="rail", context="Railways", body="The Trans-Siberian line.")
    data = {
        "topic": section.topic_id,
        "slug": section.slug,
        "context": "Railways and ports",
        "body": "The Trans-Siberian line reached Vladivostok harbour.",
        "order": section.order,
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }

    response = admin_client.post(reverse("admin:content_section_change", args=[section.pk]), data)

    assert response.status_code == 302
    assert found("ports harbour") == ["rail"]
    assert found("trans siberian") == ["rail"]


def test_a_deleted_passage_or_fact_is_no_longer_found(admin_client):
    section = SectionFactory(slug="gone", body="A passage about walruses.")
    fact = FactFactory(slug="gone-too", statement="A fact about walruses.")

    admin_client.post(reverse("admin:content_section_delete", args=[section.pk]), {"post": "yes"})
    assert found("walruses") == ["gone-too"]
    fact.topic.delete()  # a dossier's facts go with it
    assert found("walruses") == []


def test_bulk_writes_are_indexed_as_the_import_makes_them():
    """bulk_create, bulk_update and QuerySet.update skip save(): the database indexes them anyway."""
    topic = TopicFactory()
    Section.objects.bulk_create(
        [Section(topic=topic, slug=f"s{i}", context=f"Bulk {i}", body="x") for i in range(3)]
    )
    Fact.objects.bulk_create(
        [Fact(topic=topic, slug="f", kind="year", subject="s", statement="Ironclads sailed.", answer="1862")]
    )
    assert found("bulk") == ["s0", "s1", "s2"]
    assert found("ironclads") == ["f"]

    sections = list(Section.objects.filter(topic=topic))
    for section in sections:
        section.body = "Steam engines."
    Section.objects.bulk_update(sections, ["body"])
    Fact.objects.filter(topic=topic).update(statement="Monitors sailed.")

    assert found("steam engines") == ["s0", "s1", "s2"]
    assert found("monitors") == ["f"]
    assert found("ironclads") == []


def test_unpublishing_a_dossier_hides_it_and_publishing_shows_it_again():
    """Only the dossier's flag changes: its rows stay indexed and are filtered at search time."""
    section = SectionFactory(slug="p", body="Icebreakers in the north.")

    Topic.objects.filter(pk=section.topic_id).update(published=False)
    assert found("icebreakers") == []
    Topic.objects.filter(pk=section.topic_id).update(published=True)
    assert found("icebreakers") == ["p"]


@pytest.mark.django_db(transaction=True)
def test_a_migration_that_rebuilds_a_table_keeps_search_in_step():
    """Altering a searched column (SQLite rebuilds the table, which drops its triggers;
    PostgreSQL alters it in place) and then the rest of ``migrate``: rows written before,
    during and after are all found."""
    before = FactFactory(slug="before", statement="Before the change: a caravel.")
    old = Fact._meta.get_field("answer")
    longer = models.CharField(max_length=250)
    longer.set_attributes_from_name("answer")
    longer.model = Fact
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Fact, old, longer)
        during = FactFactory(slug="during", statement="During the migration: a carrack.")
        call_command("migrate", verbosity=0)  # post_migrate, as at the end of every migrate
        after = FactFactory(slug="after", statement="After the change: a galleon.")
        Fact.objects.filter(pk=before.pk).update(statement="Before the change: a frigate.")

        assert found("caravel") == []
        assert found("frigate") == ["before"]
        assert found("carrack") == [during.slug]
        assert found("galleon") == [after.slug]
        assert schema.repair(connection) is False  # in step: nothing to do
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Fact, longer, old)
        call_command("migrate", verbosity=0)


def test_the_search_reads_the_index():
    """The matching rows come from the full-text index, not a scan of the tables."""
    topic = TopicFactory()
    Section.objects.bulk_create(
        Section(topic=topic, slug=f"s{i}", context=f"Context {i}", body=f"Passage {i}.") for i in range(3000)
    )
    Fact.objects.bulk_create(
        Fact(topic=topic, slug=f"f{i}", kind="year", subject=f"s {i}", statement=f"Fact {i}.", answer="1900")
        for i in range(3000)
    )
    FactFactory(topic=topic, statement="Kim Il-sung met Stalin.")
    query = Query.parse("stalin kim")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE content_section, content_fact")
            # At a few thousand rows, and with a GIN index's statistics reset by an earlier
            # test's flush, the planner may price a scan lower; the index is what scales.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        sections, facts = PostgresIndex()._matches(query)
        plan = sections.union(facts, all=True).order_by("-rank")[:20].explain()
        assert "Bitmap Index Scan on content_section_search" in plan
        assert "Bitmap Index Scan on content_fact_search" in plan
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN SELECT count(*) {SQLiteIndex._published}", ["kim"])
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "VIRTUAL TABLE INDEX" in plan
    assert [hit.obj.statement for hit in find("stalin kim")[0:20]] == ["Kim Il-sung met Stalin."]


@settings(max_examples=200, deadline=None)
@given(a=st.from_regex(r"[a-z]{1,12}", fullmatch=True), b=st.from_regex(r"[a-z]{1,12}", fullmatch=True))
def test_spelling_similarity_is_the_databases(a, b):
    """On PostgreSQL, pg_trgm's similarity(); on SQLite, the function the spelling query calls."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
        else:
            connection.connection.create_function("content_search_similarity", 2, similarity)
            cursor.execute("SELECT content_search_similarity(%s, %s)", [a, b])
        expected = cursor.fetchone()[0]

    assert similarity(a, b) == pytest.approx(expected, abs=1e-6)
