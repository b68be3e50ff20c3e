"""The reads written once as SQL (config.rows) load exactly what the ORM would."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.auth import ModelBackend
from config.rows import Select, Table, from_db, prep
from config.sessions import SessionStore
from quiz.models import Attempt, Item
from tests.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def field_values(instance, fields=None):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if fields is None or field.attname in fields
    }


def test_a_select_loads_every_field_as_the_orm_does():
    """JSON, UUIDs, datetimes, booleans and nulls come back as the ORM gives them."""
    item = ItemFactory(
        attempt__deadline=timezone.now() + timedelta(minutes=3),
        served_at=timezone.now(),
        answered_at=timezone.now(),
        chosen=[2, 0, 1],
        is_correct=False,
        notes=["a", "", "c"],
        sources=["One", "Two"],
    )
    select = Select(
        Table(Item, "i"),
        Table(Attempt, "a", on="a.id = i.attempt_id"),
        where="i.id = %s",
    )
    loaded_item, loaded_attempt = select.one(connections["default"], [item.pk])
    assert field_values(loaded_item) == field_values(Item.objects.get(pk=item.pk))
    assert field_values(loaded_attempt) == field_values(Attempt.objects.get(pk=item.attempt_id))
    assert loaded_attempt.deadline.tzinfo is not None
    assert loaded_item._state.adding is False
    assert loaded_item._state.db == "default"


def test_a_select_with_some_fields_defers_the_others_and_matches_nothing_with_none():
    item = ItemFactory(fact_ids=[4, 5])
    select = Select(Table(Item, "i", frozenset({"id", "stem"})), where="i.id = %s")
    with CaptureQueriesContext(connections["default"]) as queries:
        (loaded,) = select.one(connections["default"], [item.pk])
    assert len(queries) == 1
    assert "fact_ids" not in queries[0]["sql"]
    assert loaded.stem == item.stem
    with CaptureQueriesContext(connections["default"]) as queries:
        assert loaded.fact_ids == [4, 5]  # a deferred field loads when asked
    assert len(queries) == 1
    assert select.one(connections["default"], [item.pk + 1000]) is None


def test_a_select_needs_a_table():
    with pytest.raises(ValueError, match="at least one table"):
        Select(where="1 = 1")


def signed_in_session(user, *, expires_in=timedelta(days=1)) -> SessionStore:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "config.auth.ModelBackend"
    store.set_expiry(expires_in)
    store.create()
    return store


def test_the_session_store_loads_a_live_session_with_one_query():
    store = signed_in_session(UserFactory())
    with CaptureQueriesContext(connections["default"]) as queries:
        loaded = SessionStore(store.session_key)
        assert loaded[SESSION_KEY] == store[SESSION_KEY]
    assert len(queries) == 1
    assert loaded.session_key == store.session_key


@pytest.mark.parametrize("key", ["expired", "unknown"])
def test_the_session_store_drops_an_expired_or_unknown_session(key):
    """As Django's: no data, and the key is dropped, so a new session gets a new key."""
    store = signed_in_session(UserFactory())
    if key == "expired":
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
        session_key = store.session_key
    else:
        session_key = "x" * 32
    loaded = SessionStore(session_key)
    assert loaded.load() == {}
    assert loaded.session_key is None


def test_the_session_store_still_saves_and_deletes_as_djangos():
    store = signed_in_session(UserFactory())
    store["played"] = True
    store.save()
    assert SessionStore(store.session_key)["played"] is True
    store.delete()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_the_backend_returns_an_active_user_as_the_orm_loads_them():
    user = UserFactory(first_name="Ada", last_login=timezone.now())
    with CaptureQueriesContext(connections["default"]) as queries:
        loaded = ModelBackend().get_user(user.pk)
    assert len(queries) == 1
    assert field_values(loaded) == field_values(get_user_model().objects.get(pk=user.pk))


def test_the_backend_refuses_an_inactive_or_missing_user():
    inactive = UserFactory(is_active=False)
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk + 1000) is None


def test_a_deactivated_user_is_signed_out_on_their_next_request(client):
    """The middleware path end to end: the session and the user read, then refused."""
    user = UserFactory()
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_prep_and_from_db_round_trip_values_through_raw_sql():
    """What raw SQL writes with ``prep`` and reads back with ``from_db`` is what the ORM
    reads: an aware datetime and a JSON list survive, on either database."""
    item = ItemFactory()
    connection = connections["default"]
    moment = timezone.now().replace(microsecond=123456)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE quiz_item SET answered_at = %s, chosen = %s WHERE id = %s",
            [
                prep(Item, "answered_at", moment, connection),
                prep(Item, "chosen", [2, 0, 1], connection),
                item.pk,
            ],
        )
        cursor.execute("SELECT answered_at, chosen FROM quiz_item WHERE id = %s", [item.pk])
        answered_at, chosen = cursor.fetchone()
    assert from_db(Item, "answered_at", answered_at, connection) == moment
    assert from_db(Item, "chosen", chosen, connection) == [2, 0, 1]
    item.refresh_from_db()
    assert (item.answered_at, item.chosen) == (moment, [2, 0, 1])
