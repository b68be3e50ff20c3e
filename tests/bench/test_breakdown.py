"""The bench's breakdown of an answer's server time (bench.breakdown), on a real database."""

from __future__ import annotations

import pytest
from django.contrib import auth
from django.db import connection, connections
from django.template.backends.django import Template

from bench import breakdown
from bench.data import create_bank
from bench.run import _answer_fields, prepare_answers
from quiz.models import Item


@pytest.mark.django_db(transaction=True)  # create_bank sets a PRAGMA, outside any transaction
def test_the_breakdown_answers_every_item_and_times_each_part_of_the_path():
    bank = create_bank(60, slug="breakdown")
    sessions = prepare_answers(bank["quiz_id"], 3, 4, prefix="breakdown-player")
    figures = breakdown.measure(sessions, _answer_fields)
    assert figures["count"] == 3 * 4 - 3  # the first round warms up
    assert figures["statuses"] == {"200": figures["count"]}
    assert (
        Item.objects.filter(
            attempt__user__username__startswith="breakdown-player", answered_at__isnull=False
        ).count()
        == 12
    )
    assert list(figures["parts"]) == list(breakdown.PARTS)
    assert all(spent > 0 for spent in figures["parts"].values())
    assert sum(figures["parts"].values()) < figures["answer_us"]
    assert figures["bare_us"] > 0


@pytest.mark.django_db(transaction=True)  # a real COMMIT
def test_sql_counts_towards_the_part_that_ran_it_and_the_timers_come_off_afterwards():
    """A SELECT inside get_user is the session's; one outside any part is a read; a write
    and the COMMIT are writes. Afterwards Django's functions are its own again."""
    before = (auth.get_user, Template.render, connection.execute_wrappers[:])
    with breakdown.timing_parts() as spent:
        assert auth.get_user is not before[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("UPDATE auth_user SET username = username")
        connection.commit()
        auth.get_user(type("Request", (), {"session": {}})())
    assert set(spent) == {breakdown.READS, breakdown.WRITES, breakdown.SESSION_AND_USER}
    assert (auth.get_user, Template.render, connection.execute_wrappers) == before
    assert "commit" not in vars(connections["default"])
