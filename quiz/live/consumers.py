"""The WebSocket side of a live game (Django Channels): one consumer per open screen.

htmx's ws extension is the client: the server sends HTML whose top-level elements replace
the elements of the same id (``#stage``, ``#answered``, ``#lobby``); a phone sends its
answer as the JSON of the button's ``hx-vals``. Who the player is comes from the session
(or the signed-in user) of the connection, never from a message.

Every change to a game is sent to the game's group as a :func:`quiz.live.game.stage`;
each consumer renders its own screen from it, so nothing per player is read from the
database when a question opens or closes. The host's screen also keeps the clock: it
closes the question when the deadline passes (a phone's screen does too, a little later,
in case the host's screen is gone).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from quiz.live import game as live
from quiz.live.models import LiveGame

#: A phone's screen closes a question this long after its deadline if nothing else has.
PLAYER_CLOSE_GRACE = 2.0
#: How often a connected host's screen says it is still there.
HOST_HEARTBEAT = 60.0
#: How long the host's screen gathers answers before counting them.
COUNT_EVERY = 0.05
#: Close codes htmx's ws extension does not reconnect after.
CLOSE_NOT_IN_GAME = 4403


def _game_id(scope: Any) -> UUID | None:
    try:
        return UUID(str(scope["url_route"]["kwargs"]["game_id"]))
    except (KeyError, ValueError):
        return None


class _GameConsumer(AsyncWebsocketConsumer):
    game_id: UUID
    timer: asyncio.Task[None] | None = None

    async def _arm_timer(self, stage: dict[str, Any], grace: float) -> None:
        """Close the open question at its deadline (plus ``grace``) unless a newer stage comes."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        question = stage.get("question")
        if stage["state"] != LiveGame.State.QUESTION or not question or question["deadline"] is None:
            return
        delay = max(0.0, question["deadline"] - time.time()) + grace
        self.timer = asyncio.get_running_loop().create_task(self._close_at(delay))

    async def _close_at(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await database_sync_to_async(_close_and_broadcast)(self.game_id)

    async def disconnect(self, code: int) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if getattr(self, "game_id", None) is not None:
            await self.channel_layer.group_discard(live.group_name(self.game_id), self.channel_name)


def _close_and_broadcast(game_id: UUID) -> None:
    if live.close_if_due(game_id):
        live.broadcast(game_id)


class PlayerConsumer(_GameConsumer):
    """A phone: shows the player's part of each stage and sends their answers."""

    player_id: int
    nickname: str
    opened: live.Opened | None = None
    #: The players in the game when the stage was sent: answers below it cannot be everyone's.
    players_hint: int = 0
    csrf_token: str = ""

    async def connect(self) -> None:
        game_id = _game_id(self.scope)
        user = self.scope.get("user")
        session = self.scope.get("session")
        user_id = user.pk if user is not None and user.is_authenticated else None
        session_key = session.session_key if session is not None else ""
        player = (
            await database_sync_to_async(live.player_of)(game_id, user_id, session_key or "")
            if game_id
            else None
        )
        if game_id is None or player is None or player.removed:
            await self.close(code=CLOSE_NOT_IN_GAME)
            return
        self.game_id = game_id
        self.player_id = player.pk
        self.nickname = player.nickname
        self.csrf_token = self.scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME, "")
        await self.channel_layer.group_add(live.group_name(game_id), self.channel_name)
        await self.accept()
        stage = await database_sync_to_async(_stage_for_player)(game_id, self.player_id)
        await self._show(stage)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
            choice = int(message["choice"])
            position = int(message["position"])
        except (ValueError, KeyError, TypeError):
            return
        opened = self.opened
        if opened is None or position != opened.position or not 0 <= choice < 32:
            return
        answered = await ANSWERS.submit((self.game_id, self.player_id, opened, choice))
        if answered is None:
            await self.send(render_to_string("quiz/live/play.html#too_late", {}))
            return
        await self.send(
            render_to_string(
                "quiz/live/play.html#locked",
                {"answer_number": answered.choice + 1, "stored": answered.stored},
            )
        )

    async def live_stage(self, event: dict[str, Any]) -> None:
        await self._show(await stage_named(event))

    async def live_removed(self, event: dict[str, Any]) -> None:
        if event["player"] == self.player_id:
            await self.send(render_to_string("quiz/live/play.html#removed", {}))
            await self.close(code=CLOSE_NOT_IN_GAME)

    async def _show(self, stage: dict[str, Any]) -> None:
        self.opened = live.opened_of(stage)
        self.players_hint = stage.get("players", 0)
        await self._arm_timer(stage, PLAYER_CLOSE_GRACE)
        context = player_context(stage, self.player_id, self.nickname, stage.get("mine"))
        context["csrf_token"] = self.csrf_token
        await self.send(render_to_string("quiz/live/play.html#stage", context))


class AnswerWriter:
    """Writes the answers of this process in batches: the answers that arrive while one
    batch is in the database go in the next, one transaction each (a group commit). 300
    answers in the same second cost a few commits and thread hops, not 300."""

    def __init__(self) -> None:
        self.pending: list[
            tuple[tuple[Any, int, live.Opened, int], asyncio.Future[live.Answered | None]]
        ] = []
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, answer: tuple[Any, int, live.Opened, int]) -> live.Answered | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[live.Answered | None] = loop.create_future()
        self.pending.append((answer, future))
        if self.writer is None or self.writer.done() or self.writer.get_loop() is not loop:
            self.writer = loop.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                results = await database_sync_to_async(live.record_answers)([answer for answer, _ in batch])
            except Exception as error:
                for _, future in batch:
                    future.set_exception(error)
                continue
            answered: set[tuple[Any, int]] = set()
            for (answer, future), result in zip(batch, results, strict=True):
                future.set_result(result)
                if result is not None and result.stored:
                    answered.add((answer[0], answer[2].position))
            # The host's screen counts the answers and closes the question once all are in:
            # one message per game and batch, not one per answer.
            layer = get_channel_layer()
            assert layer is not None  # CHANNEL_LAYERS is always set
            for game_id, position in answered:
                await layer.group_send(
                    live.host_group_name(game_id), {"type": "live.answered", "position": position}
                )


ANSWERS = AnswerWriter()


def _stage_for_player(game_id: UUID, player_id: int) -> dict[str, Any]:
    stage = live.stage(game_id)
    if stage["state"] == LiveGame.State.QUESTION:
        stage["mine"] = live.answered_choice(player_id, game_id, stage["position"])
    return stage


def _count_or_close(game_id: UUID, position: int) -> tuple[dict[str, Any] | None, int]:
    """(the stage, if every player has answered and this closed the question; the count)."""
    if live.close_if_all_answered(game_id, position):
        return live.stage(game_id), 0
    return None, live.answer_count(game_id, position)


_building: dict[str, asyncio.Future[dict[str, Any]]] = {}


async def stage_named(event: dict[str, Any]) -> dict[str, Any]:
    """The stage a group message names: from this process's cache, or built once from the
    database (every consumer of the process waiting for the same build)."""
    key = event["key"]
    found = live.STAGES.get(key)
    if found is not None:
        return found
    pending = _building.get(key)
    if pending is None:
        pending = asyncio.get_running_loop().create_future()
        _building[key] = pending
        try:
            built = await database_sync_to_async(live.stage)(UUID(event["game"]))
            live.STAGES[key] = built
            pending.set_result(built)
        except Exception as error:
            pending.set_exception(error)
            raise
        finally:
            del _building[key]
    return await pending


def player_context(stage: dict[str, Any], player_id: int, nickname: str, mine: int | None) -> dict[str, Any]:
    """The template context of a phone's stage: the stage and this player's own line."""
    line = stage.get("standings", {}).get(str(player_id))
    me: dict[str, Any] = {"nickname": nickname, "id": player_id}
    if line is not None:
        me.update(rank=line[0], total=line[1], points=line[2], correct=line[3], right=line[4])
    question = stage.get("question")
    remaining = None
    if question and question.get("deadline") and stage["state"] == LiveGame.State.QUESTION:
        remaining = max(0, round((question["deadline"] - time.time()) * 1000))
    return {
        "stage": stage,
        "me": me,
        "mine": mine,
        "answer_number": None if mine is None else mine + 1,
        "remaining_ms": remaining,
    }


def host_context(stage: dict[str, Any]) -> dict[str, Any]:
    question = stage.get("question")
    remaining = None
    if question and question.get("deadline") and stage["state"] == LiveGame.State.QUESTION:
        remaining = max(0, round((question["deadline"] - time.time()) * 1000))
    bars = []
    reveal = stage.get("reveal")
    if reveal and question:
        most = max(reveal["counts"]) or 1
        bars = [
            {
                "number": i + 1,
                "text": text,
                "count": count,
                "percent": round(100 * count / most),
                "correct": i == reveal["correct"],
            }
            for i, (text, count) in enumerate(zip(question["options"], reveal["counts"], strict=True))
        ]
    return {
        "stage": stage,
        "remaining_ms": remaining,
        "bars": bars,
        "podium": stage.get("top", [])[:3],
        "count": stage.get("answered", 0),
    }


class HostConsumer(_GameConsumer):
    """The host's screen: the whole stage, the lobby, the count of answers; keeps the clock."""

    heartbeat: asyncio.Task[None] | None = None
    counting: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        game_id = _game_id(self.scope)
        user = self.scope.get("user")
        if game_id is None or user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_IN_GAME)
            return
        if not await database_sync_to_async(_is_host)(game_id, user.pk):
            await self.close(code=CLOSE_NOT_IN_GAME)
            return
        self.game_id = game_id
        await self.channel_layer.group_add(live.group_name(game_id), self.channel_name)
        await self.channel_layer.group_add(live.host_group_name(game_id), self.channel_name)
        await self.accept()
        self.heartbeat = asyncio.get_running_loop().create_task(self._beat())
        stage = await database_sync_to_async(_close_due_and_stage)(game_id)
        await self._show(stage)

    async def disconnect(self, code: int) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        if getattr(self, "game_id", None) is not None:
            await self.channel_layer.group_discard(live.host_group_name(self.game_id), self.channel_name)
            await database_sync_to_async(live.touch_host)(self.game_id)
        await super().disconnect(code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The host acts through HTTP forms (they work without JavaScript); nothing to read."""

    async def _beat(self) -> None:
        while True:
            await database_sync_to_async(live.touch_host)(self.game_id)
            await asyncio.sleep(HOST_HEARTBEAT)

    async def live_stage(self, event: dict[str, Any]) -> None:
        await self._show(await stage_named(event))

    async def live_answered(self, event: dict[str, Any]) -> None:
        """Answers come in bursts: count them (and close the question if everyone has
        answered) once per :data:`COUNT_EVERY`, not once per answer."""
        if self.counting is None or self.counting.done():
            self.counting = asyncio.get_running_loop().create_task(self._count(event["position"]))

    async def _count(self, position: int) -> None:
        await asyncio.sleep(COUNT_EVERY)
        closed, count = await database_sync_to_async(_count_or_close)(self.game_id, position)
        if closed is not None:
            await self.channel_layer.group_send(live.group_name(self.game_id), live.stage_message(closed))
        else:
            await self.send(render_to_string("quiz/live/host.html#answered", {"count": count}))

    async def live_lobby(self, event: dict[str, Any]) -> None:
        stage = await database_sync_to_async(live.stage)(self.game_id)
        await self._show(stage)

    async def live_removed(self, event: dict[str, Any]) -> None:
        await self.live_lobby(event)

    async def _show(self, stage: dict[str, Any]) -> None:
        await self._arm_timer(stage, 0.0)
        context = host_context(stage)
        headers = dict(self.scope.get("headers", []))
        context["join_path"] = headers.get(b"host", b"").decode("latin-1") + reverse("live_join")
        context["csrf_token"] = self.scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME, "")
        await self.send(render_to_string("quiz/live/host.html#stage", context))


def _is_host(game_id: UUID, user_id: int) -> bool:
    return LiveGame.objects.filter(pk=game_id, host_id=user_id).exists()


def _close_due_and_stage(game_id: UUID) -> dict[str, Any]:
    if live.close_if_due(game_id):
        live.broadcast(game_id)
    return live.stage(game_id)
