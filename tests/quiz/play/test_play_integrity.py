"""Attempts cannot be gamed: each answer counts once, only for its owner, in time, scored by the server."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.models import Attempt
from quiz.play.views import ALREADY_ANSWERED, TIME_UP
from tests.conftest import in_thread, run_threads, threads_database
from tests.factories import UserFactory
from tests.quiz.conftest import make_attempt

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def q_url(attempt: Attempt, position: int) -> str:
    return reverse("attempt_question", args=[attempt.pk, position])


def results_url(attempt: Attempt) -> str:
    return reverse("attempt_results", args=[attempt.pk])


@pytest.fixture
def player(client):
    user = UserFactory()
    client.force_login(user)
    return user


def state(attempt: Attempt) -> tuple:
    attempt.refresh_from_db()
    items = tuple(attempt.items.order_by("position").values_list("chosen", "is_correct", "answered_at"))
    return attempt.score, attempt.answered_count, attempt.finished_at, items


# Replays -----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [{}, HX], ids=["form", "htmx"])
def test_replaying_the_same_post_changes_nothing(client, player, extra):
    """The same answer posted again (replay, back button, reload) is not counted again."""
    attempt = make_attempt(user=player)
    client.post(q_url(attempt, 1), {"choice": "0"}, **extra)
    before = state(attempt)
    response = client.post(q_url(attempt, 1), {"choice": "0"}, **extra)
    assert state(attempt) == before
    assert before[:2] == (1, 1)
    page = client.get(q_url(attempt, 1)).content.decode() if not extra else response.content.decode()
    assert ALREADY_ANSWERED in page


@pytest.mark.parametrize("extra", [{}, HX], ids=["form", "htmx"])
def test_a_second_submit_with_another_choice_keeps_the_first(client, player, extra):
    """A double submit (or a second tab) with a different option cannot change the answer."""
    attempt = make_attempt(user=player)
    client.post(q_url(attempt, 1), {"choice": "2"}, **extra)
    response = client.post(q_url(attempt, 1), {"choice": "0"}, **extra)
    item = attempt.items.get(position=1)
    assert (item.chosen, item.is_correct) == (2, False)
    assert state(attempt)[:2] == (0, 1)
    if extra:
        html = response.content.decode()
        assert response.status_code == 200
        assert ALREADY_ANSWERED in html
        assert "You answered <strong>1860</strong>" in html
    else:
        assert response["Location"] == f"{q_url(attempt, 1)}#feedback"


# Refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [{}, HX], ids=["form", "htmx"])
def test_a_question_not_yet_shown_cannot_be_answered(client, player, extra):
    """Posting an answer to question 2 before it was served is refused with 409."""
    attempt = make_attempt(user=player)
    client.post(q_url(attempt, 1), {"choice": "0"})
    response = client.post(q_url(attempt, 2), {"choice": "0"}, **extra)
    assert response.status_code == 409
    assert "Open this question before answering it." in response.content.decode()
    assert attempt.items.get(position=2).answered_at is None
    assert state(attempt)[:2] == (1, 1)


@pytest.mark.parametrize("extra", [{}, HX], ids=["form", "htmx"])
def test_nothing_can_be_answered_after_the_attempt_finished(client, player, extra):
    """Once finished (here: closed by its time limit) a served, unanswered item stays unanswered."""
    attempt = make_attempt(user=player, finished_at=timezone.now())
    before = state(attempt)
    response = client.post(q_url(attempt, 1), {"choice": "0"}, **extra)
    assert state(attempt) == before
    assert response.status_code in (302, 409)


def test_forged_fields_are_ignored(client, player):
    """Only the choice is read: score, correct and is_correct in the POST change nothing."""
    attempt = make_attempt(user=player)
    client.post(q_url(attempt, 1), {"choice": "3", "score": "99", "correct": "1", "is_correct": "1"})
    item = attempt.items.get(position=1)
    assert (item.chosen, item.is_correct) == (3, False)
    assert state(attempt)[:2] == (0, 1)


@pytest.mark.parametrize("choice", ["4", "-1", "abc", "", "0x1", "1e0", "2 "])
@pytest.mark.parametrize("extra", [{}, HX], ids=["form", "htmx"])
def test_a_choice_that_is_not_an_option_is_refused(client, player, choice, extra):
    """Out of range, negative, not an integer: 400 with a clear message, nothing stored."""
    attempt = make_attempt(user=player)
    response = client.post(q_url(attempt, 1), {"choice": choice}, **extra)
    assert response.status_code == 400
    assert "option" in response.content.decode()
    assert attempt.items.get(position=1).answered_at is None


def test_a_missing_choice_is_refused(client, player):
    """A POST without a choice is refused."""
    attempt = make_attempt(user=player)
    assert client.post(q_url(attempt, 1), {}).status_code == 400
    assert attempt.items.get(position=1).answered_at is None


# Ownership -------------------------------------------------------------------------------


def test_another_users_attempt_is_not_found(client, player):
    """Someone else's attempt answers 404 to play, question, answer, results and review."""
    theirs = make_attempt(user=UserFactory(), finished_at=None)
    for url in (theirs.get_absolute_url(), q_url(theirs, 1), results_url(theirs)):
        assert client.get(url).status_code == 404
    assert client.post(q_url(theirs, 1), {"choice": "0"}).status_code == 404
    assert client.post(q_url(theirs, 1), {"choice": "0"}, **HX).status_code == 404
    Attempt.objects.filter(pk=theirs.pk).update(finished_at=timezone.now())
    assert client.get(results_url(theirs)).status_code == 404
    assert client.post(reverse("attempt_review", args=[theirs.pk])).status_code == 404
    assert theirs.items.filter(answered_at__isnull=False).count() == 0
    assert Attempt.objects.count() == 1


def test_another_anonymous_session_cannot_open_an_attempt(client):
    """An anonymous attempt is only reachable from the session that started it."""
    session = SessionStore()
    session["anonymous_player"] = True
    session.create()
    attempt = make_attempt(session_key=session.session_key)
    owner = Client()
    owner.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert owner.get(q_url(attempt, 1)).status_code == 200
    for other in (client, Client()):
        other.get("/")
        assert other.get(q_url(attempt, 1)).status_code == 404
        assert other.post(q_url(attempt, 1), {"choice": "0"}).status_code == 404
        assert other.get(attempt.get_absolute_url()).status_code == 404
    assert attempt.items.get(position=1).answered_at is None


def test_a_signed_in_user_cannot_open_an_anonymous_attempt(client, player):
    """Signing in does not give access to other people's anonymous attempts."""
    attempt = make_attempt(session_key="someone-elses-session")
    assert client.get(q_url(attempt, 1)).status_code == 404


# CSRF -----------------------------------------------------------------------------------


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_answers_need_the_csrf_token():
    """Without the token the POST is 403; with the page's token it counts, form or htmx header."""
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    attempt = make_attempt(user=user)
    page = client.get(q_url(attempt, 1)).content.decode()
    assert client.post(q_url(attempt, 1), {"choice": "0"}).status_code == 403
    assert client.post(q_url(attempt, 1), {"choice": "0"}, **HX).status_code == 403
    assert attempt.items.get(position=1).answered_at is None
    response = client.post(q_url(attempt, 1), {"choice": "0", "csrfmiddlewaretoken": _token(page)})
    assert response.status_code == 302
    page = client.get(q_url(attempt, 2)).content.decode()
    header = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(q_url(attempt, 2), {"choice": "0"}, HTTP_X_CSRFTOKEN=header, **HX)
    assert response.status_code == 200
    assert state(attempt)[:2] == (2, 2)


def test_starting_needs_the_csrf_token(bank):
    """The start form is protected too."""
    client = Client(enforce_csrf_checks=True)
    url = reverse("play_topic", args=[bank.topic.slug])
    page = client.get(url).content.decode()
    assert client.post(url, {"length": "5"}).status_code == 403
    assert client.post(url, {"length": "5", "csrfmiddlewaretoken": _token(page)}).status_code == 302
    assert Attempt.objects.count() == 1


# The time limit ----------------------------------------------------------------------------


def test_answers_after_the_deadline_are_refused_and_the_attempt_finishes(client, player):
    """Past the deadline the answer is not stored; the attempt is finished; the player sees results."""
    attempt = make_attempt(user=player, deadline=timezone.now() - timedelta(seconds=1))
    response = client.post(q_url(attempt, 1), {"choice": "0"})
    assert response["Location"] == results_url(attempt)
    score, answered, finished_at, items = state(attempt)
    assert (score, answered) == (0, 0)
    assert finished_at == attempt.deadline
    assert all(answered_at is None for _, _, answered_at in items)
    assert TIME_UP in client.get(results_url(attempt)).content.decode()


def test_answers_after_the_deadline_with_htmx_redirect_to_results(client, player):
    """With htmx the refusal is a 409 that tells htmx to load the results page."""
    attempt = make_attempt(user=player, deadline=timezone.now() - timedelta(seconds=1))
    response = client.post(q_url(attempt, 1), {"choice": "0"}, **HX)
    assert response.status_code == 409
    assert response["HX-Redirect"] == results_url(attempt)
    assert attempt.items.get(position=1).answered_at is None


def test_within_the_time_limit_answers_count(client, player):
    """Before the deadline answers count; the page shows the time left."""
    attempt = make_attempt(user=player, deadline=timezone.now() + timedelta(minutes=5))
    assert "data-seconds-left=" in client.get(q_url(attempt, 1)).content.decode()
    client.post(q_url(attempt, 1), {"choice": "0"})
    assert state(attempt)[:2] == (1, 1)


def test_opening_a_question_after_the_deadline_goes_to_results(client, player):
    """The question page of a timed-out attempt redirects to the results and finishes the attempt."""
    attempt = make_attempt(user=player, deadline=timezone.now() - timedelta(seconds=1))
    assert client.get(q_url(attempt, 1))["Location"] == results_url(attempt)
    assert client.get(attempt.get_absolute_url())["Location"] == results_url(attempt)
    attempt.refresh_from_db()
    assert attempt.finished_at is not None


# Concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("extra", [{}, HX], ids=["form", "htmx"])
def test_concurrent_answers_for_one_item_count_once(tmp_path, extra):
    """Eight threads, each with its own connection, post the same item at once: exactly one
    answer is stored and the score goes up once; the others are told it was already answered."""
    user = UserFactory()
    attempt = make_attempt(user=user, length=2)
    login = Client()
    login.force_login(user)
    cookie = login.cookies[settings.SESSION_COOKIE_NAME].value
    url = q_url(attempt, 1)
    threads = 8
    barrier = threading.Barrier(threads)

    def post(choice: int) -> tuple[int, bool]:
        """The status, and whether the player was told the question was already answered."""
        player = Client()
        player.cookies[settings.SESSION_COOKIE_NAME] = cookie
        barrier.wait(timeout=30)
        response = player.post(url, {"choice": str(choice)}, **extra)
        # Without htmx the notice travels as a flash message (cookie storage) to the next page.
        told = ALREADY_ANSWERED in response.content.decode() or "messages" in response.cookies
        return response.status_code, told

    def outcome() -> tuple:
        attempt.refresh_from_db()
        item = attempt.items.get(position=1)
        return attempt.score, attempt.answered_count, item.chosen, item.is_correct

    with threads_database(tmp_path) as db:
        results = run_threads([in_thread(db, lambda c=i % 4: post(c)) for i in range(threads)])
        score, answered, chosen, is_correct = run_threads([in_thread(db, outcome)])[0]

    assert answered == 1
    assert score == int(chosen == 0)
    assert is_correct == (chosen == 0)
    assert {status for status, _ in results} == ({200} if extra else {302})
    assert sum(not told for _, told in results) == 1
