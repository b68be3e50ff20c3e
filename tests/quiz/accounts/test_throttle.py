"""Password-reset requests and sign-ups are rate-limited (quiz.accounts.throttle), in the database.

Each limit lets exactly its number of valid requests through in a window and answers the
next with a 429 page; nothing is mailed or created then. Windows end on time, counts are
per address and per email (normalised), a form that is only shown or sent back with
errors costs nothing, and threads counting one key at once never lose a count.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.accounts import throttle
from quiz.models import Throttle
from tests.conftest import in_thread, run_threads, threads_database
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-enough-passphrase-31"
RESET = throttle.RESET_PER_EMAIL.requests
RESET_IP = throttle.RESET_PER_IP.requests
SIGNUPS = throttle.SIGNUP_PER_IP.requests


class Clock:
    """A stopped clock for ``timezone.now`` (the throttle's and the views'); tests move it on."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    stopped = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: stopped.now)
    return stopped


def at(ip: str) -> Client:
    """A fresh visitor's client from the address ``ip``."""
    return Client(REMOTE_ADDR=ip)


def reset(email: str, ip: str = "10.0.0.1"):
    return at(ip).post(reverse("password_reset"), {"email": email})


def signup(n: int, ip: str = "10.0.0.1", **overrides: str):
    data = {
        "username": f"player{n}",
        "email": f"player{n}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return at(ip).post(reverse("signup"), data)


def without_tokens(html: str) -> str:
    """The page without what differs on every response (CSRF token, CSP nonces)."""
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_the_limits_are_the_documented_ones():
    """Twenty resets an hour per address, three per email, sixty sign-ups per address."""
    hour = timedelta(hours=1)
    assert (throttle.RESET_PER_IP.requests, throttle.RESET_PER_IP.window) == (20, hour)
    assert (throttle.RESET_PER_EMAIL.requests, throttle.RESET_PER_EMAIL.window) == (3, hour)
    assert (throttle.SIGNUP_PER_IP.requests, throttle.SIGNUP_PER_IP.window) == (60, hour)


# Password reset ----------------------------------------------------------------------


def test_reset_per_email_trips_exactly_at_the_limit(mailoutbox, clock):
    """Three links for one address (from different networks) are mailed; the fourth
    request gets the 429 page, and no fourth mail."""
    UserFactory(email="ada@example.com")
    for n in range(RESET):
        response = reset("ada@example.com", ip=f"10.0.1.{n}")
        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == RESET
    response = reset("ada@example.com", ip="10.0.1.99")
    assert response.status_code == 429
    assert len(mailoutbox) == RESET
    html = response.content.decode()
    assert "Too many password-reset requests" in html
    assert "try again in about 60 minutes" in html
    assert response["Retry-After"] == "3600"
    assert [t.name for t in response.templates][:2] == ["registration/throttled.html", "base.html"]


def test_reset_per_address_trips_exactly_at_the_limit(mailoutbox, clock):
    """Five requests from one address, each for another account, are mailed; the sixth is
    refused although its email address has not been asked for yet."""
    emails = [UserFactory(email=f"user{n}@example.com").email for n in range(RESET_IP + 1)]
    for email in emails[:RESET_IP]:
        assert reset(email).status_code == 302
    assert len(mailoutbox) == RESET_IP
    assert reset(emails[-1]).status_code == 429
    assert len(mailoutbox) == RESET_IP
    assert reset(emails[-1], ip="10.0.0.2").status_code == 302  # from elsewhere it goes through
    assert mailoutbox[-1].to == [emails[-1]]


def test_the_wait_shown_is_what_is_left_of_the_window(clock):
    """Twenty minutes into the window the page says about forty minutes are left."""
    for _ in range(RESET):
        reset("ada@example.com")
    clock.advance(minutes=20)
    response = reset("ada@example.com")
    assert response.status_code == 429
    assert "try again in about 40 minutes" in response.content.decode()
    assert response["Retry-After"] == str(40 * 60)


def test_the_reset_window_starts_over_after_an_hour(mailoutbox, clock):
    """A minute before the hour is up the address is still refused; at the hour it is
    mailed again, and the new window allows the full three."""
    UserFactory(email="ada@example.com")
    for _ in range(RESET):
        reset("ada@example.com", ip="10.0.0.1")
    clock.advance(minutes=59)
    response = reset("ada@example.com", ip="10.0.0.2")
    assert response.status_code == 429
    assert "try again in about 1 minute." in response.content.decode()
    clock.advance(minutes=1)
    for n in range(RESET):
        assert reset("ada@example.com", ip=f"10.0.2.{n}").status_code == 302
    assert reset("ada@example.com", ip="10.0.2.99").status_code == 429
    assert len(mailoutbox) == 2 * RESET


def test_reset_limits_are_per_email_and_per_address(mailoutbox, clock):
    """Using up one email's limit leaves another email alone, from the same address too."""
    UserFactory(email="ada@example.com")
    UserFactory(email="bob@example.com")
    for n in range(RESET):
        reset("ada@example.com", ip=f"10.0.3.{n}")
    assert reset("ada@example.com", ip="10.0.3.50").status_code == 429
    assert reset("bob@example.com", ip="10.0.3.0").status_code == 302
    assert [m.to for m in mailoutbox].count(["bob@example.com"]) == 1


@pytest.mark.parametrize(
    "spellings",
    [
        ["ada@example.com", "ADA@EXAMPLE.COM", "  Ada@Example.Com  "],
        ["Ada@Example.Com", "ada@example.com ", "aDa@eXample.com"],
    ],
)
def test_every_spelling_of_an_email_counts_as_one(mailoutbox, clock, spellings):
    """Case and surrounding spaces do not make a new address: the reset form finds the
    account case-insensitively, so all of them reach the same inbox."""
    UserFactory(email="ada@example.com")
    for n, spelling in enumerate(spellings):
        assert reset(spelling, ip=f"10.0.4.{n}").status_code == 302
    assert reset("ADA@example.com", ip="10.0.4.99").status_code == 429
    assert len(mailoutbox) == RESET
    assert throttle.normalise_email("  Ada@Example.COM ") == "ada@example.com"


def test_showing_the_reset_form_or_a_bad_address_costs_nothing(mailoutbox, clock):
    """GETs and invalid submissions never count: the full three still go through."""
    UserFactory(email="ada@example.com")
    browser = at("10.0.0.1")
    for _ in range(20):
        assert browser.get(reverse("password_reset")).status_code == 200
        assert browser.post(reverse("password_reset"), {"email": "not-an-address"}).status_code == 200
        assert browser.post(reverse("password_reset"), {}).status_code == 200
    assert not Throttle.objects.exists()
    for _ in range(RESET):
        assert browser.post(reverse("password_reset"), {"email": "ada@example.com"}).status_code == 302
    assert browser.post(reverse("password_reset"), {"email": "ada@example.com"}).status_code == 429
    assert len(mailoutbox) == RESET


def test_an_address_without_an_account_is_answered_like_one_with(mailoutbox, clock):
    """Throttled by email whether or not an account has it: the same redirects, then the
    same 429 page with the same wait; only the real account gets mail."""
    UserFactory(email="known@example.com")
    answers = {}
    for network, email in enumerate(("known@example.com", "nobody@example.com")):
        responses = [reset(email, ip=f"10.{network}.6.{n}") for n in range(RESET + 1)]
        answers[email] = [
            (r.status_code, r.get("Location"), r.get("Retry-After"), without_tokens(r.content.decode()))
            for r in responses
        ]
    assert answers["known@example.com"] == answers["nobody@example.com"]
    assert [status for status, *_ in answers["nobody@example.com"]] == [302] * RESET + [429]
    assert [m.to for m in mailoutbox] == [["known@example.com"]] * RESET


def test_the_client_address_is_the_one_axes_uses(settings, clock):
    """With AXES_CLIENT_IP_CALLABLE set (as for a proxy), the throttle counts per the
    address it returns, not per REMOTE_ADDR: the proxy settings stay in one place."""
    settings.AXES_CLIENT_IP_CALLABLE = lambda request: request.META.get("HTTP_X_REAL_IP")
    proxy = at("192.0.2.1")
    for n in range(RESET_IP):
        response = proxy.post(
            reverse("password_reset"), {"email": f"u{n}@example.com"}, HTTP_X_REAL_IP="1.1.1.1"
        )
        assert response.status_code == 302
    data = {"email": "last@example.com"}
    assert proxy.post(reverse("password_reset"), data, HTTP_X_REAL_IP="1.1.1.1").status_code == 429
    assert proxy.post(reverse("password_reset"), data, HTTP_X_REAL_IP="2.2.2.2").status_code == 302


# Sign-up ------------------------------------------------------------------------------


def test_signup_per_address_trips_exactly_at_the_limit(clock):
    """Ten accounts from one address are created; the eleventh gets the 429 page and is
    not created; another address can still sign up."""
    for n in range(SIGNUPS):
        response = signup(n)
        assert response.status_code == 302
    assert User.objects.count() == SIGNUPS
    response = signup(SIGNUPS)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-ups from your network" in html
    assert "try again in about 60 minutes" in html
    assert response["Retry-After"] == "3600"
    assert not User.objects.filter(username=f"player{SIGNUPS}").exists()
    assert User.objects.count() == SIGNUPS
    assert signup(SIGNUPS, ip="10.0.0.2").status_code == 302
    assert User.objects.filter(username=f"player{SIGNUPS}").exists()


def test_a_refused_signup_does_not_log_in(clock):
    """The refused visitor stays anonymous, and their form is not saved half-way."""
    for n in range(SIGNUPS):
        signup(n)
    visitor = at("10.0.0.1")
    response = visitor.post(
        reverse("signup"),
        {"username": "late", "email": "late@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in visitor.session
    assert not User.objects.filter(email="late@example.com").exists()


def test_the_signup_window_starts_over_after_an_hour(clock):
    for n in range(SIGNUPS):
        signup(n)
    clock.advance(minutes=59, seconds=59)
    assert signup(100).status_code == 429
    clock.advance(seconds=1)
    assert signup(100).status_code == 302
    assert User.objects.filter(username="player100").exists()


def test_showing_the_signup_form_or_an_invalid_one_costs_nothing(clock):
    """GETs and forms sent back with errors (a taken name, passwords that differ) never count."""
    UserFactory(username="taken")
    browser = at("10.0.0.1")
    for n in range(2 * SIGNUPS):
        assert browser.get(reverse("signup")).status_code == 200
        assert signup(n, username="taken").status_code == 200
        assert signup(n, password2="something-else-entirely-9").status_code == 200
    assert not Throttle.objects.exists()
    for n in range(SIGNUPS):
        assert signup(n).status_code == 302
    assert signup(SIGNUPS).status_code == 429


def test_resets_and_signups_are_counted_apart(clock):
    """Using up the reset limit from an address leaves its sign-ups alone, and back."""
    for n in range(RESET_IP):
        reset(f"u{n}@example.com")
    assert signup(0).status_code == 302
    for n in range(1, SIGNUPS):
        signup(n)
    assert signup(SIGNUPS).status_code == 429
    assert reset("u0@example.com", ip="10.0.0.2").status_code == 302


# The counter --------------------------------------------------------------------------


def test_the_table_holds_neither_addresses_nor_emails(clock):
    """Keys are a scope and a keyed hash: neither the IP nor the email is stored in clear."""
    reset("Ada@Example.com", ip="203.0.113.7")
    keys = list(Throttle.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert sorted(key.split(":")[0] for key in keys) == ["reset-email", "reset-ip"]
    assert not any("203.0.113.7" in key or "example" in key.lower() for key in keys)
    assert throttle.key_for(throttle.RESET_PER_EMAIL, "ada@example.com") in keys


def test_an_ended_window_reuses_its_row(clock):
    """The same key keeps one row: after its window ends the count starts over at one."""
    window = timedelta(minutes=10)
    assert [throttle.hit("t:a", window)[0] for _ in range(3)] == [1, 2, 3]
    clock.advance(minutes=10)
    count, window_end = throttle.hit("t:a", window)
    assert (count, window_end) == (1, clock.now + window)
    row = Throttle.objects.get(key="t:a")
    assert (row.count, row.window_start, row.window_end) == (1, clock.now, clock.now + window)


def test_opening_a_window_deletes_the_ended_rows(clock):
    """Rows whose window has ended are deleted when any key opens a new window, so the
    table does not keep every address ever seen; live windows stay."""
    throttle.hit("t:old", timedelta(minutes=5))
    throttle.hit("t:live", timedelta(hours=2))
    clock.advance(minutes=30)
    throttle.hit("t:live", timedelta(hours=2))  # counting on does not purge
    assert set(Throttle.objects.values_list("key", flat=True)) == {"t:old", "t:live"}
    throttle.hit("t:new", timedelta(hours=1))
    assert set(Throttle.objects.values_list("key", flat=True)) == {"t:live", "t:new"}
    assert Throttle.objects.get(key="t:live").count == 2


# Concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_threads_counting_one_key_at_once_get_every_count_once(tmp_path):
    """Twelve threads, each on its own connection, count the same key at the same moment:
    the counts they get back are exactly 1..12, and the row says 12."""
    threads = 12
    barrier = threading.Barrier(threads)

    def count() -> int:
        barrier.wait(timeout=30)
        return throttle.hit("t:race", timedelta(hours=1))[0]

    with threads_database(tmp_path) as db:
        counts = run_threads([in_thread(db, count) for _ in range(threads)])
        rows = run_threads([in_thread(db, lambda: list(Throttle.objects.values_list("key", "count")))])[0]
    assert sorted(counts) == list(range(1, threads + 1))
    assert rows == [("t:race", threads)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_reset_requests_mail_exactly_the_limit(tmp_path, mailoutbox):
    """Eight reset requests for one account, from eight addresses, at once: three mails,
    three redirects and five 429s."""
    UserFactory(email="ada@example.com")
    threads = 8
    barrier = threading.Barrier(threads)

    def post(n: int) -> int:
        visitor = at(f"10.0.5.{n}")
        barrier.wait(timeout=30)
        return visitor.post(reverse("password_reset"), {"email": "ada@example.com"}).status_code

    with threads_database(tmp_path) as db:
        statuses = run_threads([in_thread(db, lambda n=n: post(n)) for n in range(threads)])
    assert sorted(statuses) == [302] * RESET + [429] * (threads - RESET)
    assert [m.to for m in mailoutbox] == [["ada@example.com"]] * RESET


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_create_exactly_the_limit(tmp_path):
    """Fourteen sign-ups at once from an address with ten left: ten accounts, four 429s."""
    threads, left = 14, 10
    barrier = threading.Barrier(threads)

    def post(n: int) -> int:
        barrier.wait(timeout=30)
        return signup(n).status_code

    def use_up_all_but_ten() -> None:
        for _ in range(SIGNUPS - left):
            throttle.check((throttle.SIGNUP_PER_IP, "10.0.0.1"))

    with threads_database(tmp_path) as db:
        run_threads([in_thread(db, use_up_all_but_ten)])
        statuses = run_threads([in_thread(db, lambda n=n: post(n)) for n in range(threads)])
        created = run_threads([in_thread(db, lambda: User.objects.count())])[0]
    assert sorted(statuses) == [302] * left + [429] * (threads - left)
    assert created == left
