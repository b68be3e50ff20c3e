"""The live game's pages: hosting, joining (rate-limited), answering without JavaScript."""

from __future__ import annotations

import pytest
from django.test import Client

from quiz.live import game as live
from quiz.live.models import LiveAnswer, LivePlayer
from quiz.live.views import WRONG_PIN_PER_IP
from tests.factories import UserFactory
from tests.quiz.live.conftest import join_client, right_choice

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_the_host_sees_the_host_pages(game, client):
    client.force_login(UserFactory())
    assert client.get(f"/live/{game.pk}/host/").status_code == 404
    assert client.get(f"/live/{game.pk}/qr.svg").status_code == 404
    assert client.post(f"/live/{game.pk}/host/act/", {"action": "next"}).status_code == 404
    client.force_login(game.host)
    page = client.get(f"/live/{game.pk}/host/")
    assert game.pin in page.content.decode()
    qr = client.get(f"/live/{game.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content  # an image needs its namespace


def test_a_host_creates_a_game_from_a_quiz(live_quiz, host, client):
    client.force_login(host)
    response = client.post(
        "/live/new/", {"source": "quiz:live-quiz", "length": 5, "scoring": "speed", "seconds": 20}
    )
    assert response.status_code == 302
    assert client.post("/live/new/", {"source": "quiz:nope", "length": 5}).status_code == 400


def test_nicknames_are_escaped_and_unique(game):
    join_client(game, "<b>Ada</b>")
    response = Client().post("/join/", {"pin": game.pin, "nickname": "<B>ADA</B>"})
    assert response.status_code == 400
    assert "taken" in response.content.decode()
    host = Client()
    host.force_login(game.host)
    page = host.get(f"/live/{game.pk}/host/").content.decode()
    assert "&lt;b&gt;Ada&lt;/b&gt;" in page
    assert "<b>Ada</b>" not in page


def test_wrong_pins_are_limited_per_address(game):
    client = Client()
    wrong = "000000" if game.pin != "000000" else "111111"
    for _ in range(WRONG_PIN_PER_IP.requests - 1):
        assert client.post("/join/", {"pin": wrong, "nickname": "Eve"}).status_code == 400
    assert client.post("/join/", {"pin": wrong, "nickname": "Eve"}).status_code == 429
    refused = client.post("/join/", {"pin": game.pin, "nickname": "Eve"})
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert not LivePlayer.objects.exists()


def test_a_phone_without_javascript_answers_with_a_form_once(game):
    ada = join_client(game, "Ada")
    live.open_next_question(game)
    page = ada.get(f"/live/{game.pk}/").content.decode()
    assert "Live question 1?" in page
    assert "right answer" not in page
    for choice in (right_choice(1), 3):
        assert ada.post(f"/live/{game.pk}/answer/", {"choice": choice, "position": 1}).status_code == 302
    assert list(LiveAnswer.objects.values_list("choice", flat=True)) == [right_choice(1)]


def test_a_player_cannot_answer_for_another(game):
    join_client(game, "Ada")
    live.open_next_question(game)
    stranger = Client()
    assert (
        stranger.post(f"/live/{game.pk}/answer/", {"choice": 0, "position": 1, "player": 1}).status_code
        == 404
    )
    assert stranger.get(f"/live/{game.pk}/").status_code == 302
    assert not LiveAnswer.objects.exists()


def test_the_trivia_start_pages_offer_to_host_the_same_thing_live(live_quiz, host, client):
    client.force_login(host)
    page = client.get(f"/dossiers/{live_quiz.topic.slug}/play/").content.decode()
    assert f"/live/new/?source=topic:{live_quiz.topic.slug}" in page
    form = client.get(f"/live/new/?source=topic:{live_quiz.topic.slug}").content.decode()
    assert f'value="topic:{live_quiz.topic.slug}" selected' in form


def test_a_teacher_hosts_from_the_class_page(host, client, live_quiz):
    from tests.factories import ClassroomFactory

    classroom = ClassroomFactory(teacher=host)
    client.force_login(host)
    page = client.get(f"/live/new/?classroom={classroom.pk}").content.decode()
    assert classroom.name in page
    response = client.post(
        "/live/new/",
        {
            "source": "quiz:live-quiz",
            "length": 5,
            "scoring": "accuracy",
            "seconds": 20,
            "classroom": classroom.pk,
        },
    )
    assert response.status_code == 302
    assert live_quiz.live_games.get().classroom == classroom
