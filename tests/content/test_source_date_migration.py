"""Migration content 0005: existing source dates get the precision they most likely had."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from content.models import Source

migration = importlib.import_module("content.migrations.0005_source_date_precision")

BEFORE = [("content", "0004_dossier_page_indexes")]
AFTER = [("content", "0005_source_date_precision")]


@pytest.mark.parametrize(
    ("date", "precision"),
    [
        (datetime.date(2010, 1, 1), "year"),  # what "2010" was stored as
        (datetime.date(2012, 3, 1), "month"),  # what "2012-03" was stored as
        (datetime.date(2012, 12, 1), "month"),
        (datetime.date(2020, 11, 24), "day"),
        (datetime.date(2010, 1, 2), "day"),
        (datetime.date(2012, 3, 31), "day"),
        (None, "day"),
    ],
)
def test_guess_precision_reads_a_first_day_as_the_year_or_month_it_stood_for(date, precision):
    """1 January is a year, the 1st of another month is that month, any other day a full date:
    the reading the exporter already gave these dates."""
    assert migration.guess_precision(date) == precision


def migrate(targets: list[tuple[str, str]]):
    """Migrate the test database to ``targets``; the apps registry of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)  # the schema changes cannot run inside a test's transaction
def test_migration_sets_the_precision_of_existing_rows():
    """Rows written before the migration (dates only) come out with the guessed precision and
    their dates untouched, so each exports as the old exporter wrote it."""
    dates = {
        "year": datetime.date(2010, 1, 1),
        "month": datetime.date(2012, 3, 1),
        "day": datetime.date(2020, 11, 24),
        "undated": None,
    }
    try:
        old = migrate(BEFORE)
        topic = old.get_model("content", "Topic").objects.create(slug="old", title="Old", definition="D.")
        OldSource = old.get_model("content", "Source")
        for key, date in dates.items():
            OldSource.objects.create(topic=topic, key=key, title=key, date=date)

        migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    sources = {s.key: s for s in Source.objects.all()}
    assert {key: (s.date, s.date_precision) for key, s in sources.items()} == {
        "year": (dates["year"], "year"),
        "month": (dates["month"], "month"),
        "day": (dates["day"], "day"),
        "undated": (None, "day"),
    }
    assert {key: s.date_iso for key, s in sources.items()} == {
        "year": "2010",
        "month": "2012-03",
        "day": "2020-11-24",
        "undated": "",
    }
