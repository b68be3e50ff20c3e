"""Whoever has seen a question set cannot replay it for rank: along a whole chain of
challenges, and when anonymous attempts move to an account at log-in or sign-up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quiz.leaderboards import standings
from quiz.models import Attempt
from tests.factories import PASSWORD, UserFactory
from tests.quiz.conftest import answer_data, make_attempt

pytestmark = pytest.mark.django_db


def play_all(client: Client, attempt: Attempt, *, right: bool = True) -> None:
    for item in attempt.items.order_by("position"):
        url = reverse("attempt_question", args=[attempt.pk, item.position])
        client.get(url)
        client.post(url, answer_data(item, right=right))


def take_challenge(client: Client, of: Attempt) -> Attempt:
    response = client.post(reverse("challenge", args=[of.share_code]))
    return Attempt.objects.get(pk=response["Location"].split("/")[2])


@pytest.fixture
def chain():
    """A finishes X (1 of 3 right); friend F takes X's challenge and finishes Y."""
    a, friend = UserFactory(username="a"), UserFactory(username="f")
    a_client, f_client = Client(), Client()
    a_client.force_login(a)
    f_client.force_login(friend)
    x = make_attempt(user=a, length=3, served=False)
    play_all(a_client, x, right=False)
    Attempt.objects.filter(pk=x.pk).update(score=1)
    y = take_challenge(f_client, x)
    play_all(f_client, y)
    return a, x, y


def test_logged_out_along_the_chain_then_log_in_gains_nothing(chain):
    """A, logged out, plays Y's challenge answering from X's results page, then logs in:
    the attempt moves to A as a replay, and A's total stays X's score."""
    a, _, y = chain
    before = {row.username: row.score for row in standings.overall_leaderboard()}
    anonymous = Client()
    z = take_challenge(anonymous, y)
    play_all(anonymous, z)
    assert Attempt.objects.get(pk=z.pk).score == 3

    anonymous.post(reverse("login"), {"username": "a", "password": PASSWORD})

    z.refresh_from_db()
    assert (z.user, z.mode) == (a, Attempt.Mode.REPLAY)
    after = {row.username: row.score for row in standings.overall_leaderboard()}
    assert after["a"] == before["a"] == 1


def test_signed_in_along_the_chain_is_sent_back_to_ones_own_attempt(chain):
    """Signed in, A opening the challenge of a challenge of X lands on X, starts nothing."""
    a, x, y = chain
    client = Client()
    client.force_login(a)
    response = client.post(reverse("challenge", args=[y.share_code]))
    assert response["Location"] == x.get_absolute_url()
    assert Attempt.objects.filter(user=a).count() == 1


def test_a_first_play_claimed_at_sign_up_still_counts():
    """Someone new plays anonymously, then signs up: their first play of a set counts."""
    anonymous = Client()
    attempt = make_attempt(session_key="", user=UserFactory(), length=2)
    Attempt.objects.filter(pk=attempt.pk).update(user=None, session_key="placeholder")
    anonymous.get("/")  # a session
    anonymous.session.save()
    key = anonymous.session.session_key
    Attempt.objects.filter(pk=attempt.pk).update(session_key=key)
    play_all(anonymous, attempt)
    response = anonymous.post(
        reverse("signup"),
        {"username": "newcomer", "email": "n@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.user.username, attempt.mode) == ("newcomer", Attempt.Mode.NORMAL)
    assert [(row.username, row.score) for row in standings.overall_leaderboard()] == [("newcomer", 2)]
