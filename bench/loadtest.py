"""``make loadtest``: 100 players at once against gunicorn, then an audit of the database.

A bounded load on loopback: a throwaway SQLite file by default, or a throwaway database
``loadtest_<pid>`` on the PostgreSQL server ``DATABASE_URL`` names. 100 users exist
beforehand with a known password. Each simulated player, all at once:

1. signs in through the login form (GET for the CSRF cookie, POST the credentials);
   (they arrive over 20 seconds, as a class would);
2. starts a 10-question quiz on the synthetic dossier;
3. answers every question: opens it, posts an answer with htmx's headers. Every fourth
   player then *replays* each answer (posts again, with another choice); every fifth
   answers each question from *two tabs at once* (two concurrent POSTs, two choices);
4. opens the results page.

Every request has a timeout and the whole run a deadline; it stops by itself. Then the
server stops and the database is audited: no 5xx and no failed request; no "database is
locked" and no traceback in gunicorn's log; every item that got a 2xx answer is stored
exactly once, with the first acknowledged choice (a replay never overwrites it; of two
tabs, one of the two choices), and no item is answered that no 2xx acknowledged; every
attempt's score equals its correct items and its answered_count its answered items.
Exit status 1 on any loss or error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bench import server
from bench.http import answer_form, chosen, csrf_data, htmx_headers, login, match_values, start

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from bench.http import Form

PLAYERS = 100
QUIZ_LENGTH = 10
FACTS = 1_000
REQUEST_TIMEOUT = 90.0  # a login may wait behind dozens of others (the password hasher is slow on purpose)
ARRIVAL_SECONDS = 20.0  # players arrive spread over this long, not all in the same instant
DEADLINE = 300.0


def log(message: str) -> None:
    print(f"[loadtest] {message}", file=sys.stderr, flush=True)


@dataclass
class Post:
    position: int
    chosen: object
    status: int


@dataclass
class Player:
    number: int
    username: str
    attempt: str = ""
    posts: list[Post] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    finished: bool = False

    @property
    def style(self) -> str:
        if self.number % 5 == 0:
            return "two tabs"
        if self.number % 4 == 0:
            return "replays"
        return "plain"


def _choices(form: Form, rng: random.Random) -> list[dict[str, str]]:
    """Two different valid answers to the form, in random order."""
    if "choice" in form.choices:
        values = rng.sample(form.choices["choice"], 2)
        return [{**form.hidden, "choice": value} for value in values]
    if "typed" in form.inputs:
        typed = rng.sample(["1689", "Treaty of Nerchinsk", "not the answer"], 2)
        return [{**form.hidden, "typed": value} for value in typed]
    if form.matches:
        matched = match_values(form)
        rng.shuffle(matched)
        return [
            {**form.hidden, **dict(zip(form.matches, order, strict=True))}
            for order in (matched, matched[::-1])
        ]
    places = sorted(name for name in form.fields if name.startswith("place_"))
    ranks = [str(n) for n in range(1, len(places) + 1)]
    first = ranks[:]
    rng.shuffle(first)
    second = first[::-1]
    return [{**form.hidden, **dict(zip(places, order, strict=True))} for order in (first, second)]


async def _timed(player: Player, kind: str, call: Awaitable[httpx.Response]) -> httpx.Response:
    started = time.perf_counter()
    response = await call
    player.timings.setdefault(kind, []).append(time.perf_counter() - started)
    return response


async def play(player: Player, base_url: str, slug: str, password: str) -> None:
    rng = random.Random(player.number)
    await asyncio.sleep(player.number * ARRIVAL_SECONDS / PLAYERS)

    async def count(response: httpx.Response) -> None:
        player.statuses[response.status_code] += 1

    async with httpx.AsyncClient(
        base_url=base_url, timeout=httpx.Timeout(REQUEST_TIMEOUT), event_hooks={"response": [count]}
    ) as client:
        try:
            started = time.perf_counter()
            await login(client, "/accounts/login/", player.username, password)
            player.timings["login"] = [time.perf_counter() - started]
            started = time.perf_counter()
            player.attempt = await start(client, f"/dossiers/{slug}/play/", length=QUIZ_LENGTH)
            player.timings["start"] = [time.perf_counter() - started]
            for position in range(1, QUIZ_LENGTH + 1):
                url = f"/play/{player.attempt}/q/{position}/"
                page = await _timed(player, "question page", client.get(url))
                if page.status_code != 200:
                    player.errors.append(f"GET {url}: {page.status_code}")
                    return
                form = answer_form(page.text, str(page.url))
                if form is None:
                    player.errors.append(f"no answer form at {url}")
                    return
                first, second = _choices(form, rng)
                headers = htmx_headers(client, str(page.url))
                first.update(csrf_data(client))
                second.update(csrf_data(client))
                if player.style == "two tabs":
                    a, b = await asyncio.gather(
                        _timed(player, "answer POST", client.post(url, data=first, headers=headers)),
                        _timed(player, "answer POST", client.post(url, data=second, headers=headers)),
                    )
                    player.posts += [Post(position, chosen(first), a.status_code)]
                    player.posts += [Post(position, chosen(second), b.status_code)]
                else:
                    a = await _timed(player, "answer POST", client.post(url, data=first, headers=headers))
                    player.posts.append(Post(position, chosen(first), a.status_code))
                    if player.style == "replays":
                        b = await _timed(
                            player, "replay POST", client.post(url, data=second, headers=headers)
                        )
                        player.posts.append(Post(position, chosen(second), b.status_code))
            results = await _timed(player, "results page", client.get(f"/play/{player.attempt}/results/"))
            player.finished = results.status_code == 200
        except (httpx.HTTPError, RuntimeError) as exc:
            player.errors.append(f"{type(exc).__name__}: {exc}")


async def run_players(base_url: str, usernames: list[str], slug: str, password: str) -> list[Player]:
    players = [Player(number, name) for number, name in enumerate(usernames)]
    tasks = [asyncio.create_task(play(p, base_url, slug, password)) for p in players]
    _, pending = await asyncio.wait(tasks, timeout=DEADLINE)
    for task in pending:
        task.cancel()
    for player, task in zip(players, tasks, strict=True):
        if task in pending:
            player.errors.append(f"still playing at the {DEADLINE:.0f}s deadline")
    await asyncio.gather(*pending, return_exceptions=True)
    return players


def audit(players: list[Player]) -> list[str]:
    """Compare what the server acknowledged with what the database holds."""
    from quiz.models import Attempt

    problems: list[str] = []
    attempts = {
        str(a.pk): a
        for a in Attempt.objects.filter(pk__in=[p.attempt for p in players if p.attempt]).prefetch_related(
            "items"
        )
    }
    for player in players:
        if not player.attempt:
            continue
        attempt = attempts[player.attempt]
        items = {item.position: item for item in attempt.items.all()}
        acknowledged: dict[int, list[Post]] = {}
        for post in player.posts:
            if 200 <= post.status < 300:
                acknowledged.setdefault(post.position, []).append(post)
        answered = {pos for pos, item in items.items() if item.answered_at is not None}
        who = f"{player.username} ({player.style})"
        if lost := sorted(set(acknowledged) - answered):
            problems.append(f"{who}: acknowledged answers not stored: questions {lost}")
        if extra := sorted(answered - set(acknowledged)):
            problems.append(f"{who}: answers stored that nothing acknowledged: questions {extra}")
        for position, posts in acknowledged.items():
            stored = items[position].chosen
            if player.style == "two tabs":
                if stored not in [p.chosen for p in posts]:
                    problems.append(f"{who}: question {position} stored {stored}, neither tab's answer")
            elif stored != posts[0].chosen:
                problems.append(
                    f"{who}: question {position} stored {stored}, first answer was {posts[0].chosen}"
                )
        correct = sum(1 for item in items.values() if item.is_correct)
        if attempt.score != correct:
            problems.append(f"{who}: score {attempt.score} but {correct} correct items")
        if attempt.answered_count != len(answered):
            problems.append(
                f"{who}: answered_count {attempt.answered_count} but {len(answered)} answered items"
            )
        if len(answered) == attempt.length and attempt.finished_at is None:
            problems.append(f"{who}: every item answered but the attempt is not finished")
    return problems


def summarise(players: list[Player], wall: float, server_log: str, problems: list[str]) -> bool:
    statuses: Counter = Counter()
    timings: dict[str, list[float]] = {}
    for player in players:
        statuses.update(player.statuses)
        for kind, values in player.timings.items():
            timings.setdefault(kind, []).extend(values)
    requests = sum(statuses.values())
    errors = [f"{p.username}: {e}" for p in players for e in p.errors]
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    locked = server_log.count("database is locked")
    tracebacks = server_log.count("Traceback")
    finished = sum(1 for p in players if p.finished)
    print()
    print(f"Players: {len(players)} ({Counter(p.style for p in players)}), {finished} reached their results")
    print(f"Wall time: {wall:.1f} s; {requests} responses ({requests / wall:.1f}/s)")
    print(f"Statuses: {dict(sorted(statuses.items()))}")
    print(f"{'':<16}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for kind in ("login", "start", "question page", "answer POST", "replay POST", "results page"):
        values = sorted(timings.get(kind, []))
        if values:
            p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
            print(f"{kind:<16}{len(values):>7}{statistics.median(values) * 1000:>9.0f}{p99 * 1000:>9.0f}")
    acknowledged = sum(1 for p in players for post in p.posts if 200 <= post.status < 300)
    print(f"Answer POSTs acknowledged (2xx): {acknowledged}, of which replays and second tabs are no-ops")
    print(f"5xx responses: {server_errors}; failed requests: {len(errors)}")
    print(f"Server log: 'database is locked' x{locked}, tracebacks x{tracebacks}")
    for line in errors[:10]:
        print(f"  error: {line}")
    for line in problems[:20]:
        print(f"  LOSS: {line}")
    ok = not (server_errors or errors or locked or tracebacks or problems) and finished == len(players)
    verdict = "ok" if ok else "FAILED"
    print(f"loadtest: {verdict} players={len(players)} finished={finished} problems={len(problems)}")
    return ok


def run(database_url: str, workdir: Path) -> bool:
    from django.db import connections

    from bench.data import PASSWORD, create_bank, create_players, migrate, setup_django

    setup_django(database_url)
    migrate()
    bank = create_bank(FACTS)
    usernames = create_players(PLAYERS, prefix="loadtest-player")
    connections.close_all()
    env = server.server_env(database_url)
    server.collectstatic(env)
    workers = os.cpu_count() or 1
    log(f"gunicorn, {workers} workers; {PLAYERS} players start now")
    srv = server.Server(env, workdir / "gunicorn.log", workers=workers)
    with srv:
        started = time.perf_counter()
        players = asyncio.run(run_players(srv.url, usernames, bank["topic"], PASSWORD))
        wall = time.perf_counter() - started
    problems = audit(players)
    connections.close_all()
    return summarise(players, wall, srv.log(), problems)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        workdir = Path(tmp)
        if server.is_postgres(database_url):
            name = f"loadtest_{os.getpid()}"
            log(f"PostgreSQL: a throwaway database {name}")
            with server.throwaway_postgres(database_url, name) as url:
                ok = run(url, workdir)
        else:
            log(f"SQLite: a throwaway file in {workdir}")
            ok = run(server.sqlite_url(workdir / "loadtest.sqlite3"), workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
