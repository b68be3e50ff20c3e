"""The bench's breakdown of an answer's server time (bench.breakdown), on a real database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.http import HttpRequest
from django.template.backends.django import Template

from bench import breakdown
from bench.data import create_bank
from bench.run import _answer_fields, prepare_answers
from quiz.models import Item
from tests.factories import UserFactory


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
    """SQL inside get_user is the session's; a SELECT outside any part is a read, an UPDATE
    and the COMMIT are writes, whether by the ORM or on a cursor. Afterwards Django's
    functions are its own again."""
    before = (auth.get_user, Template.render, SQLCompiler.execute_sql, connection.execute_wrappers[:])

    def parts(action):
        with breakdown.timing_parts() as spent:
            action()
        return set(spent)

    def cursor(sql):
        with connection.cursor() as c:
            c.execute(sql)

    assert parts(lambda: cursor("SELECT 1")) == {breakdown.READS}
    assert parts(lambda: User.objects.filter(pk=0).first()) == {breakdown.READS}
    assert parts(lambda: cursor("UPDATE auth_user SET username = username")) == {breakdown.WRITES}
    assert parts(lambda: User.objects.filter(pk=0).update(username="x")) == {breakdown.WRITES}
    assert parts(lambda: connection.commit()) == {breakdown.WRITES}
    user = UserFactory()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    request = HttpRequest()
    request.session = SessionStore(session.session_key)
    with breakdown.timing_parts() as spent:
        assert auth.get_user is not before[0]
        assert auth.get_user(request) == user  # reads the session and the user
    assert set(spent) == {breakdown.SESSION_AND_USER}
    assert (auth.get_user, Template.render, SQLCompiler.execute_sql, connection.execute_wrappers) == before
    assert "commit" not in vars(connections["default"])
