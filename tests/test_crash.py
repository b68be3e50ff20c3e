"""Crash safety: ``kill -9`` the real server mid-quiz and lose no acknowledged answer.

The server is gunicorn (two workers, its own process group) on a free loopback port,
against its own throwaway database: a SQLite file in a temporary directory, or, when
the suite runs with a PostgreSQL ``DATABASE_URL``, a database ``crash_<pid>`` created on
that server and dropped afterwards. ``python -m bench.data`` migrates it and fills it
with a small synthetic dossier in a child process, since this process's Django belongs
to the test database. Players are anonymous browsers (httpx with cookies and the CSRF
token), answering with htmx's headers.

After each crash the test reads the database directly (no Django) and checks that
every answer acknowledged with a 2xx is stored with the choice that was posted, that
each attempt's counters agree with its items, that the attempt resumes at the next
unanswered question, and, on SQLite, that ``PRAGMA integrity_check`` says ``ok``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from django.utils.html import escape

from bench import server
from bench.http import answer_data, answer_form, chosen, htmx_headers, start

pytestmark = pytest.mark.crash

QUIZ_LENGTH = 10


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A migrated throwaway database with a 300-fact dossier; yields (url, topic slug)."""
    configured = os.environ.get("DATABASE_URL", "")
    if server.is_postgres(configured):
        with server.throwaway_postgres(configured, f"crash_{os.getpid()}") as url:
            yield url, _prepare(url)
    else:
        url = server.sqlite_url(tmp_path_factory.mktemp("crash") / "crash.sqlite3")
        yield url, _prepare(url)


def _prepare(url: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bench.data", "--database-url", url, "--facts", "300"],
        cwd=server.ROOT,
        env=server.server_env(url, static="plain"),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["topic"]


@pytest.fixture
def gunicorn_server(database, tmp_path) -> Iterator[server.Server]:
    url, _ = database
    srv = server.Server(server.server_env(url, static="plain"), tmp_path / "gunicorn.log", workers=2)
    srv.start()
    yield srv
    srv.kill()


@dataclass
class Player:
    """An anonymous browser playing one attempt, remembering what the server acknowledged."""

    client: httpx.AsyncClient
    attempt: str = ""
    rng: random.Random = field(default_factory=lambda: random.Random(4))
    acknowledged: dict[int, object] = field(default_factory=dict)  # position -> choice posted

    async def begin(self, slug: str) -> None:
        self.attempt = await start(self.client, f"/dossiers/{slug}/play/", length=QUIZ_LENGTH)

    async def answer(self, position: int) -> None:
        """Open question ``position`` and answer it; remember the answer if acknowledged."""
        url = f"/play/{self.attempt}/q/{position}/"
        page = await self.client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        form = answer_form(page.text, str(page.url))
        assert form is not None, f"no answer form at {url}"
        data = answer_data(form, self.rng)
        response = await self.client.post(url, data=data, headers=htmx_headers(self.client, str(page.url)))
        assert response.status_code == 200, (url, response.status_code)
        self.acknowledged[position] = chosen(data)


def _client(srv: server.Server) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=srv.url, timeout=httpx.Timeout(10.0))


def _attempt_key(database_url: str, attempt: str) -> str:
    """How the attempt's UUID primary key is stored: 32 hex digits on SQLite, a uuid on PostgreSQL."""
    return attempt if server.is_postgres(database_url) else uuid.UUID(attempt).hex


def _stored(database_url: str, attempt: str) -> tuple[dict[int, object], dict[str, int]]:
    """The attempt's answered items (position -> chosen) and its counters, read without Django."""
    key = _attempt_key(database_url, attempt)
    rows = server.fetch(
        database_url,
        "SELECT position, chosen, is_correct FROM quiz_item"
        " WHERE attempt_id = %s AND answered_at IS NOT NULL",
        [key],
    )
    # PostgreSQL's driver decodes jsonb itself (a typed answer comes back as a str already);
    # SQLite keeps JSON as text.
    decode = (lambda value: value) if server.is_postgres(database_url) else json.loads
    answered = {position: decode(chosen) for position, chosen, _ in rows}
    correct = sum(1 for *_, is_correct in rows if is_correct)
    ((score, count, length),) = server.fetch(
        database_url, "SELECT score, answered_count, length FROM quiz_attempt WHERE id = %s", [key]
    )
    return answered, {"score": score, "answered_count": count, "length": length, "correct_items": correct}


def _integrity(database_url: str) -> str:
    if server.is_postgres(database_url):
        return "ok"  # no equivalent check; PostgreSQL's WAL recovery is not ours to test
    return server.fetch(database_url, "PRAGMA integrity_check")[0][0]


def _assert_consistent(database_url: str, player: Player) -> int:
    """Every acknowledged answer is stored as posted, and the counters agree. Returns answered_count."""
    answered, counters = _stored(database_url, player.attempt)
    for position, posted in player.acknowledged.items():
        assert answered.get(position) == posted, f"acknowledged answer to question {position} was lost"
    assert sorted(answered) == list(range(1, len(answered) + 1)), "answered items are not a prefix"
    assert counters["answered_count"] == len(answered)
    assert counters["score"] == counters["correct_items"]
    return counters["answered_count"]


async def _assert_resumes(srv: server.Server, player: Player, answered_count: int, database_url: str) -> None:
    """GET /play/<attempt>/ leads to the first unanswered question, and shows its stem."""
    async with _client(srv) as client:
        client.cookies = player.client.cookies
        response = await client.get(f"/play/{player.attempt}/")
        expected = f"/play/{player.attempt}/q/{answered_count + 1}/"
        assert response.status_code == 302
        assert response.headers["location"] == expected
        page = await client.get(expected)
        assert page.status_code == 200
    ((stem,),) = server.fetch(
        database_url,
        "SELECT stem FROM quiz_item WHERE attempt_id = %s AND position = %s",
        [_attempt_key(database_url, player.attempt), answered_count + 1],
    )
    assert escape(stem) in page.text


def test_acknowledged_answers_survive_kill_9_right_after_an_answer(database, gunicorn_server):
    """kill -9 of the whole server right after the third acknowledged answer loses nothing:
    after a restart the three answers are stored as posted, the score matches the items,
    the attempt resumes at question 4, and the SQLite file passes its integrity check."""
    url, slug = database

    async def play() -> Player:
        async with _client(gunicorn_server) as client:
            player = Player(client)
            await player.begin(slug)
            for position in (1, 2, 3):
                await player.answer(position)
            gunicorn_server.kill()
            return player

    player = asyncio.run(play())
    assert list(player.acknowledged) == [1, 2, 3]
    gunicorn_server.start()
    assert _integrity(url) == "ok"
    assert _assert_consistent(url, player) == 3
    asyncio.run(_assert_resumes(gunicorn_server, player, 3, url))


def test_acknowledged_answers_survive_kill_9_during_a_burst(database, gunicorn_server):
    """Eight players answer as fast as they can; the server is killed with requests in
    flight. Every answer acknowledged before the kill is stored as posted, answers that
    were cut off are either stored or not (never half), counters agree with the items,
    each attempt resumes at its first unanswered question, and the database is intact."""
    url, slug = database
    players_count, kill_after = 8, 20

    async def burst() -> tuple[list[Player], int, int]:
        clients = [_client(gunicorn_server) for _ in range(players_count)]
        players = [Player(client, rng=random.Random(n)) for n, client in enumerate(clients)]
        for player in players:
            await player.begin(slug)
        acknowledged = asyncio.Event()
        cut_off: list[Player] = []

        async def run(player: Player) -> None:
            for position in range(1, QUIZ_LENGTH + 1):
                try:
                    await player.answer(position)
                except httpx.HTTPError:
                    cut_off.append(player)  # the server died under this request
                    return
                if sum(len(p.acknowledged) for p in players) >= kill_after:
                    acknowledged.set()

        async def killer() -> None:
            await acknowledged.wait()
            gunicorn_server.kill()

        kill = asyncio.create_task(killer())
        await asyncio.gather(*(run(player) for player in players))
        not_killed = 0 if kill.done() else 1
        kill.cancel()
        for client in clients:
            await client.aclose()
        return players, not_killed, len(cut_off)

    players, not_killed, cut_off = asyncio.run(burst())
    assert not_killed == 0, "the players finished before the kill: the burst was too short"
    assert cut_off >= 1, "no request was in flight when the server died"
    total = sum(len(p.acknowledged) for p in players)
    assert kill_after <= total < players_count * QUIZ_LENGTH
    gunicorn_server.start()
    assert _integrity(url) == "ok"
    for player in players:
        answered_count = _assert_consistent(url, player)
        assert answered_count >= len(player.acknowledged)
        if answered_count < QUIZ_LENGTH:
            asyncio.run(_assert_resumes(gunicorn_server, player, answered_count, url))
