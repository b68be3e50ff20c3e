"""The live game under load: N players in one game answer within the same second.

Real connections to uvicorn on loopback (one process on the in-memory channel layer, or
several sharing Redis with ``--redis``): the players join over HTTP like a phone, open
their WebSocket, the host opens a question, every player answers at once. Printed per N:

- the answer's latency (send → "locked in" on the same socket), p50 and p99;
- the time from the window closing (the last answer closes it early) until every phone
  has its result;
- answers stored in the database, which must equal the answers acknowledged.

Run: ``python -m bench.live`` (``make bench-live``); ``--players 30 100 300``,
``--database-url postgres://…`` for PostgreSQL, ``--servers 2 --redis redis://…`` for the
scale-out path. The helpers here (:class:`Uvicorn`, :func:`prepare`, :class:`Player`) are
also what the two-server test and ``bench/loadtest_live.py`` use.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.server import HOST, ROOT, Server, fetch, manage, server_env, sqlite_url, throwaway_postgres

SETUP = """
import json, secrets
from importlib import import_module
from django.conf import settings
from django.contrib.auth import get_user_model
from quiz.models import Choice, Question, Quiz
from content.models import Topic
QUESTIONS = {questions}
User = get_user_model()
host, _ = User.objects.get_or_create(username="live-host")
topic, _ = Topic.objects.get_or_create(slug="live-bench", defaults={{"title": "Live bench"}})
quiz, made = Quiz.objects.get_or_create(slug="live-bench-quiz", defaults=dict(
    topic=topic, title="Live bench", mix=Quiz.Mix.WRITTEN, shuffle=False, published=True))
if made:
    for n in range(QUESTIONS):
        q = Question.objects.create(topic=topic, stem=f"Bench question {{n + 1}}?", explanation="Because.",
                                    status=Question.Status.PUBLISHED)
        for i in range(4):
            Choice.objects.create(question=q, text=f"Option {{i + 1}}", order=i, is_correct=i == n % 4)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store["_auth_user_id"] = str(host.pk)
store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]
store["_auth_user_hash"] = host.get_session_auth_hash()
store.create()
print(json.dumps({{"session": store.session_key, "quiz": "quiz:live-bench-quiz"}}))
"""


def right_choice(position: int) -> int:
    """The bench quiz's question ``position`` (1-based) is right at this index."""
    return (position - 1) % 4


def prepare(env: dict[str, str], *, questions: int = 10) -> dict[str, Any]:
    """Migrate the database of ``env``; a host, a quiz of ``questions``; the host's session."""
    manage(["migrate", "--noinput", "--verbosity", "0"], env)
    out = manage(["shell", "-c", SETUP.format(questions=questions)], env)
    return json.loads(out.strip().splitlines()[-1])


class Uvicorn(Server):
    """uvicorn serving config.asgi (HTTP and WebSockets) on a free loopback port."""

    def start(self, *, ready_timeout: float = 30) -> Uvicorn:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                "1",
                "--log-level",
                "warning",
                "--ws-max-queue",
                "64",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self._wait_ready(ready_timeout)
        return self


def live_env(database_url: str, redis_url: str = "", prefix: str = "") -> dict[str, str]:
    extra = {"REDIS_URL": redis_url, "CHANNEL_PREFIX": prefix or f"bench-live-{os.getpid()}"}
    return server_env(database_url, static="plain", **extra)


# The host and the players, as a browser would be --------------------------------


class Host:
    """The host over HTTP: creates the game, presses its buttons."""

    def __init__(self, base: str, session: str) -> None:
        self.client = httpx.Client(base_url=base, cookies={"sessionid": session}, timeout=30)
        self.game_id = ""
        self.pin = ""

    def _csrf(self, path: str) -> str:
        page = self.client.get(path)
        page.raise_for_status()
        return self.client.cookies.get("csrftoken") or ""

    def create(self, source: str, *, length: int, seconds: int = 20, scoring: str = "speed") -> str:
        token = self._csrf("/live/new/")
        response = self.client.post(
            "/live/new/",
            data={
                "csrfmiddlewaretoken": token,
                "source": source,
                "length": length,
                "scoring": scoring,
                "seconds": seconds,
            },
        )
        assert response.status_code == 302, response.text[:500]
        self.game_id = response.headers["location"].split("/")[2]
        page = self.client.get(response.headers["location"]).text
        match = re.search(r'class="live-pin">(\d+)<', page)
        assert match, "no PIN on the host page"
        self.pin = match.group(1)
        return self.game_id

    def act(self, action: str) -> None:
        token = self.client.cookies.get("csrftoken") or self._csrf(f"/live/{self.game_id}/host/")
        response = self.client.post(
            f"/live/{self.game_id}/host/act/", data={"csrfmiddlewaretoken": token, "action": action}
        )
        assert response.status_code == 302, response.text[:300]


async def host_screen(base: str, session: str, game_id: str) -> Player:
    """The host's screen (the class projector): it keeps the clock and closes a question
    early once every player has answered."""
    screen = Player("host", cookies={"sessionid": session})
    await screen.open(base, game_id, role="host")
    await screen.wait_for('data-state="lobby"')
    return screen


@dataclass
class Player:
    """A phone: joins over HTTP, then lives on its WebSocket."""

    nickname: str
    cookies: dict[str, str] = field(default_factory=dict)
    socket: ClientConnection | None = None
    inbox: asyncio.Queue[tuple[float, str]] = field(default_factory=asyncio.Queue)
    reader: asyncio.Task[None] | None = None

    async def join(self, client: httpx.AsyncClient, pin: str) -> None:
        client.cookies.clear()
        page = await client.get("/join/")
        token = client.cookies.get("csrftoken") or ""
        response = await client.post(
            "/join/", data={"csrfmiddlewaretoken": token, "pin": pin, "nickname": self.nickname}
        )
        assert response.status_code == 302, (page.status_code, response.text[:300])
        self.cookies = dict(client.cookies.items())

    async def open(self, base: str, game_id: str, role: str = "play") -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        ws = base.replace("http://", "ws://")
        self.socket = await connect(
            f"{ws}/ws/live/{game_id}/{role}/",
            additional_headers={"Cookie": cookie},
            origin=base,  # type: ignore[arg-type]
            max_queue=None,
            open_timeout=60,
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.socket is not None
        with contextlib.suppress(Exception):
            async for message in self.socket:
                self.inbox.put_nowait((time.perf_counter(), str(message)))

    async def wait_for(self, needle: str, timeout: float = 60) -> tuple[float, str]:
        end = time.perf_counter() + timeout
        while True:
            at, text = await asyncio.wait_for(self.inbox.get(), max(0.01, end - time.perf_counter()))
            if needle in text:
                return at, text

    async def answer(self, position: int, choice: int) -> tuple[float, bool]:
        """Send an answer; (latency in seconds, acknowledged) from the reply on the socket."""
        assert self.socket is not None
        sent = time.perf_counter()
        await self.socket.send(json.dumps({"choice": choice, "position": position, "HEADERS": {}}))
        at, text = await self.wait_for('id="answer-area"', timeout=60)
        return at - sent, "locked in" in text

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            self.reader.cancel()


async def join_all(bases: list[str], pin: str, game_id: str, count: int, prefix: str = "p") -> list[Player]:
    """``count`` players joined (over HTTP, 20 at a time) with sockets open, spread over ``bases``."""
    players = [Player(f"{prefix}{n}") for n in range(count)]
    gate = asyncio.Semaphore(20)

    async def one(n: int, player: Player) -> None:
        base = bases[n % len(bases)]
        async with gate, httpx.AsyncClient(base_url=base, timeout=60) as client:
            await player.join(client, pin)
        await player.open(base, game_id)
        await player.wait_for('data-state="lobby"')

    await asyncio.gather(*(one(n, p) for n, p in enumerate(players)))
    return players


@dataclass
class Burst:
    players: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    results_ms: float
    acknowledged: int
    stored: int


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def burst(host: Host, players: list[Player], position: int) -> tuple[list[float], int, float]:
    """Open question ``position``; every player answers at once. (latencies, acks, result time)."""
    await asyncio.to_thread(host.act, "next")
    await asyncio.gather(*(p.wait_for(f"Bench question {position}?") for p in players))
    answers = await asyncio.gather(*(p.answer(position, right_choice(position)) for p in players))
    closed = time.perf_counter()
    reveals = await asyncio.gather(*(p.wait_for('data-state="reveal"') for p in players))
    latencies = [latency for latency, _ in answers]
    acks = sum(1 for _, ok in answers if ok)
    return latencies, acks, max(at for at, _ in reveals) - closed


def stored_answers(database_url: str, game_id: str, position: int | None = None) -> int:
    sql = (
        "SELECT COUNT(*) FROM quiz_liveanswer a JOIN quiz_livequestion q ON q.id = a.question_id "
        "WHERE q.game_id = %s"
    )
    params: list[Any] = [game_id.replace("-", "") if not database_url.startswith("postgres") else game_id]
    if position is not None:
        sql += " AND q.position = %s"
        params.append(position)
    return int(fetch(database_url, sql, params)[0][0])


async def run_one(bases: list[str], session: str, database_url: str, count: int) -> Burst:
    host = Host(bases[0], session)
    game_id = await asyncio.to_thread(host.create, "quiz:live-bench-quiz", length=5)
    screen = await host_screen(bases[0], session, game_id)
    players = await join_all(bases, host.pin, game_id, count)
    try:
        latencies, acks, results = await burst(host, players, 1)
    finally:
        await asyncio.gather(*(p.close() for p in [*players, screen]))
        await asyncio.to_thread(host.act, "finish")
    return Burst(
        players=count,
        p50_ms=1000 * statistics.median(latencies),
        p99_ms=1000 * percentile(latencies, 0.99),
        max_ms=1000 * max(latencies),
        results_ms=1000 * results,
        acknowledged=acks,
        stored=stored_answers(database_url, game_id),
    )


@contextlib.contextmanager
def database(database_url: str | None) -> Iterator[str]:
    if database_url and database_url.startswith("postgres"):
        with throwaway_postgres(database_url, f"bench_live_{os.getpid()}") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield sqlite_url(Path(tmp) / "live.sqlite3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--redis", default="", help="REDIS_URL for --servers 2 or more")
    args = parser.parse_args(argv)
    if args.servers > 1 and not args.redis:
        parser.error("several servers share a game only through Redis: give --redis")
    with database(args.database_url) as url, tempfile.TemporaryDirectory() as logs:
        env = live_env(url, args.redis)
        setup = prepare(env)
        servers = [Uvicorn(env, Path(logs) / f"uvicorn-{n}.log").start() for n in range(args.servers)]
        engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(f"Live burst on {engine}, {args.servers} uvicorn process(es), {os.cpu_count()} cores")
        header = ("players", "p50 ms", "p99 ms", "max ms", "results ms", "acked", "stored")
        print(" ".join(f"{h:>{w}}" for h, w in zip(header, (8, 8, 8, 8, 11, 6, 7), strict=True)))
        failed = False
        try:
            for count in args.players:
                b = asyncio.run(run_one([s.url for s in servers], setup["session"], url, count))
                print(
                    f"{b.players:>8} {b.p50_ms:>8.0f} {b.p99_ms:>8.0f} {b.max_ms:>8.0f} "
                    f"{b.results_ms:>11.0f} {b.acknowledged:>6} {b.stored:>7}",
                    flush=True,
                )
                failed |= b.stored != b.acknowledged or b.acknowledged != b.players
        finally:
            for server in servers:
                server.stop()
                if failed or sys.exc_info()[0] is not None:
                    print(f"--- {server.log_path.name}:\n{server.log()[-4000:]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
