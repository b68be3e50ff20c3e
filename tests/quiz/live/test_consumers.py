"""The WebSocket side, through the whole ASGI app (sessions, auth, origin check), on the
in-memory channel layer: what each screen receives, and what a phone can and cannot do."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from config.asgi import application
from quiz.live import game as live
from quiz.live.models import LiveAnswer, LiveGame
from tests.quiz.live.conftest import join_client, right_choice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def communicator(path: str, client) -> WebsocketCommunicator:
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return WebsocketCommunicator(
        application,
        path,
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookies.encode())],
    )


async def receive_until(comm: WebsocketCommunicator, needle: str, timeout: float = 3) -> str:
    while True:
        text = await comm.receive_from(timeout=timeout)
        if needle in text:
            return text


async def test_a_phone_answers_over_the_socket_once_and_sees_the_result_only_after_the_window(game, host):
    ada = await database_sync_to_async(join_client)(game, "Ada")
    bob = await database_sync_to_async(join_client)(game, "Bob")
    screen = communicator(f"/ws/live/{game.pk}/host/", await database_sync_to_async(_host_client)(game))
    assert (await screen.connect())[0]
    phone = communicator(f"/ws/live/{game.pk}/play/", ada)
    connected, _ = await phone.connect()
    assert connected
    assert "You're in!" in await phone.receive_from()

    assert await database_sync_to_async(live.open_next_question)(game)
    await database_sync_to_async(live.broadcast)(game.pk)
    question = await receive_until(phone, "Live question 1?")
    assert "right answer" not in question
    assert 'data-state="question"' in question

    await phone.send_to(text_data=json.dumps({"choice": right_choice(1), "position": 1, "HEADERS": {}}))
    assert f"Answer {right_choice(1) + 1} locked in" in await phone.receive_from()
    await phone.send_to(text_data=json.dumps({"choice": 3, "position": 1}))
    assert "Your first answer stands" in await phone.receive_from()
    assert await database_sync_to_async(LiveAnswer.objects.count)() == 1

    assert await receive_until(screen, '<strong id="answered">1</strong>')
    # Bob answers too: everyone has, so the host's screen closes the question at once and
    # every phone gets its result.
    bob_phone = communicator(f"/ws/live/{game.pk}/play/", bob)
    await bob_phone.connect()
    await receive_until(bob_phone, "Live question 1?")
    await bob_phone.send_to(text_data=json.dumps({"choice": right_choice(1) + 1, "position": 1}))
    result = await receive_until(phone, 'data-state="reveal"')
    assert "Right! +" in result
    assert "You are <strong>1</strong> of 2" in result
    assert "Wrong" in await receive_until(bob_phone, 'data-state="reveal"')
    await phone.disconnect()
    await bob_phone.disconnect()
    await screen.disconnect()


async def test_an_answer_after_the_deadline_is_refused_over_the_socket(game):
    ada = await database_sync_to_async(join_client)(game, "Ada")
    await database_sync_to_async(live.open_next_question)(game)
    phone = communicator(f"/ws/live/{game.pk}/play/", ada)
    await phone.connect()
    await receive_until(phone, "Live question 1?")
    await database_sync_to_async(LiveGame.objects.filter(pk=game.pk).update)(deadline=timezone.now())
    await phone.send_to(text_data=json.dumps({"choice": 0, "position": 1}))
    assert "Time is up" in await phone.receive_from()
    assert await database_sync_to_async(LiveAnswer.objects.count)() == 0
    await phone.disconnect()


async def test_the_host_screen_closes_the_question_at_its_deadline(live_quiz, host):
    from django.test import Client

    game = await database_sync_to_async(live.create_game)(
        host.pk, live_quiz, length=5, scoring="speed", seconds=10
    )
    await database_sync_to_async(join_client)(game, "Ada")
    host_client = Client()
    await database_sync_to_async(host_client.force_login)(host)
    screen = communicator(f"/ws/live/{game.pk}/host/", host_client)
    assert (await screen.connect())[0]
    lobby = await screen.receive_from()
    assert game.pin in lobby
    assert "Ada" in lobby
    await database_sync_to_async(live.open_next_question)(game)
    # A one-second window, so the test does not wait ten.
    await database_sync_to_async(LiveGame.objects.filter(pk=game.pk).update)(
        deadline=timezone.now() + timezone.timedelta(seconds=1)
    )
    await database_sync_to_async(live.broadcast)(game.pk)
    await receive_until(screen, 'data-state="question"')
    reveal = await receive_until(screen, 'data-state="reveal"', timeout=5)
    assert "right answer" in reveal
    assert "Explained 1." in reveal
    await screen.disconnect()


async def test_nobody_but_the_host_gets_the_host_screen_and_strangers_get_no_phone(game):
    from django.test import Client

    from tests.factories import UserFactory

    other = Client()
    await database_sync_to_async(other.force_login)(await database_sync_to_async(UserFactory)())
    screen = communicator(f"/ws/live/{game.pk}/host/", other)
    connected, _ = await screen.connect()
    assert not connected
    stranger = communicator(f"/ws/live/{game.pk}/play/", Client())
    connected, _code = await stranger.connect()
    assert not connected


async def test_a_removed_player_is_told_and_disconnected(game):
    ada = await database_sync_to_async(join_client)(game, "Ada")
    phone = communicator(f"/ws/live/{game.pk}/play/", ada)
    await phone.connect()
    await phone.receive_from()
    player = await database_sync_to_async(game.players.get)()
    host_client = await database_sync_to_async(_host_client)(game)
    response = await database_sync_to_async(host_client.post)(
        f"/live/{game.pk}/host/act/", {"action": "remove", "player": player.pk}
    )
    assert response.status_code == 302
    assert "You were removed" in await phone.receive_from()
    assert (await phone.receive_output())["type"] == "websocket.close"


def _host_client(game):
    from django.test import Client

    client = Client()
    client.force_login(game.host)
    return client


def test_csrf_cookie_name_is_the_default():
    """The phone's fallback form takes its CSRF token from this cookie."""
    assert settings.CSRF_COOKIE_NAME == "csrftoken"
