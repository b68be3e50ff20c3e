"""``make bench``: throughput, queries per request and quiz-building time, measured.

Each database engine is measured by a child process (``python -m bench.run --child URL``)
whose Django is configured for a throwaway database: a SQLite file in a temporary
directory, always; and, when ``DATABASE_URL`` names a PostgreSQL server, a database
``bench_<pid>`` created on it and dropped afterwards. The dev database is never touched.

In each child:

1. With a bank of 1,000 facts: the queries each page costs (in-process, Django's test
   client and ``CaptureQueriesContext``, signed in, after one warm-up play), and the
   median time of ``build_quiz`` for a 10-question quiz over 15 seeds.
2. The bank grows to 100,000 facts; the same again.
3. gunicorn (workers = CPU cores, production settings on plain-HTTP loopback) serves
   that database. Signed-in players' attempts are created in the database with every item
   already served, so each answer POST answers a distinct, open item. The same number of
   ``/healthz`` GETs, from the same clients at the same concurrency, give the bare
   baseline.

The last line of the output sums up the run (the worst engine's figure for each)::

    bench: answer/bare=X.XX queries_constant=yes|no build_ratio=Y.YY
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import breakdown, server

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from django.test import Client

SIZES = (1_000, 100_000)
BUILD_RUNS = 15
QUIZ_LENGTH = 10
PLAYERS = 100
ANSWERS_PER_PLAYER = 20
CONCURRENCY = 8
ROUNDS = 4
BREAKDOWN_PLAYERS = 50
RESULT_PREFIX = "BENCH-RESULT "
PAGES = ("dossier page", "question page", "answer POST", "results page")
TARGET_RATIO, TARGET_QUERIES, TARGET_BUILD = 0.6, 8, 1.5


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Machine ----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# In the child: in-process measurements ----------------------------------------------


def _answer_post(client: Client, url: str, html: str, rng: random.Random) -> Any:
    from bench.http import answer_data, answer_form

    form = answer_form(html, url)
    if form is None:
        raise RuntimeError(f"no answer form on {url}")
    return client.post(url, answer_data(form, rng), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=url)


def play_once(client: Client, slug: str, *, count: bool) -> dict[str, int]:
    """Play a 10-question quiz in-process; the queries of each page (max over questions)."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    rng = random.Random(1)
    counts: dict[str, int] = {}

    def measured(name: str, call: Callable[..., Any], expect: int) -> Any:
        with CaptureQueriesContext(connection) as queries:
            response = call()
        if response.status_code != expect:
            raise RuntimeError(f"{name}: status {response.status_code}, expected {expect}")
        counts[name] = max(counts.get(name, 0), len(queries))
        return response

    measured("dossier page", lambda: client.get(reverse("topic_detail", args=[slug])), 200)
    started = measured(
        "start (build_quiz)",
        lambda: client.post(reverse("play_topic", args=[slug]), {"length": str(QUIZ_LENGTH)}),
        302,
    )
    attempt_url = started["Location"]
    attempt_id = attempt_url.rstrip("/").rsplit("/", 1)[-1]
    for position in range(1, QUIZ_LENGTH + 1):
        url = reverse("attempt_question", args=[attempt_id, position])
        page = measured("question page", lambda url=url: client.get(url), 200)
        measured("answer POST", lambda url=url, page=page: _answer_post(client, url, page.text, rng), 200)
    measured("results page", lambda: client.get(reverse("attempt_results", args=[attempt_id])), 200)
    return counts if count else {}


def count_queries(slug: str) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username="bench-counter")
    client = Client()
    client.force_login(user)
    play_once(client, slug, count=False)  # warm-up: caches, first-use queries
    return play_once(client, slug, count=True)


def time_build(quiz_id: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quiz.generation import build_quiz
    from quiz.models import Quiz

    quiz = Quiz.objects.select_related("topic").get(pk=quiz_id)
    build_quiz(quiz, length=QUIZ_LENGTH, seed=0)  # warm-up
    times = []
    for seed in range(1, BUILD_RUNS + 1):
        started = time.perf_counter()
        questions = build_quiz(quiz, length=QUIZ_LENGTH, seed=seed)
        times.append(time.perf_counter() - started)
        if len(questions) != QUIZ_LENGTH:
            raise RuntimeError(f"build_quiz gave {len(questions)} questions for seed {seed}")
    with CaptureQueriesContext(connection) as queries:
        build_quiz(quiz, length=QUIZ_LENGTH, seed=BUILD_RUNS + 1)
    return {"median_ms": statistics.median(times) * 1000, "queries": len(queries)}


# In the child: throughput under gunicorn ------------------------------------------


def prepare_answers(
    quiz_id: int, players: int, length: int, *, prefix: str = "bench-player"
) -> list[dict[str, Any]]:
    """Signed-in sessions with one attempt each, every item served and unanswered.

    A few quizzes are built with ``build_quiz`` and their questions dealt out to the
    attempts (building one per player would only time the generator again).
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from bench.data import create_players
    from quiz.generation import build_quiz
    from quiz.models import Item, Player, Quiz
    from quiz.play.attempts import create_attempt, item_from

    quiz = Quiz.objects.select_related("topic").get(pk=quiz_id)
    names = create_players(players, prefix=prefix)
    users = list(get_user_model().objects.filter(username__in=names).order_by("username"))
    built = [build_quiz(quiz, length=length, seed=seed) for seed in range(5)]
    sessions = []
    for number, user in enumerate(users):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        questions = built[number % len(built)]
        items = [item_from(question, position) for position, question in enumerate(questions, start=1)]
        attempt = create_attempt(quiz, items, player=Player(user_id=user.pk, session_key=""), seed=number)
        sessions.append(
            {
                "cookies": {"sessionid": store.session_key, "csrftoken": get_random_string(32)},
                "attempt": str(attempt.pk),
                "items": [
                    {
                        "url": reverse("attempt_question", args=[attempt.pk, item.position]),
                        "form": item.form,
                        "options": len(item.options),
                    }
                    for item in items
                ],
            }
        )
    Item.objects.filter(attempt__user__username__in=names).update(served_at=timezone.now())
    return sessions


def _answer_fields(item: dict[str, Any], rng: random.Random) -> dict[str, str]:
    if item["form"] == "order":
        places = [str(n) for n in range(1, item["options"] + 1)]
        rng.shuffle(places)
        return {f"place_{i}": place for i, place in enumerate(places)}
    return {"choice": str(rng.randrange(item["options"]))}


async def drive(base_url: str, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """Alternate rounds of bare GETs and answer POSTs, so both see the same background load.

    Round ``r`` answers items ``r*k+1 .. (r+1)*k`` of every attempt (in order, as a player
    would), just after the same number of ``/healthz`` GETs from the same clients.
    The measured requests go through :mod:`bench.load`'s lean client, not httpx, which
    took a whole core to drive ``/healthz`` and so flattered the ratio; its CPU share is
    reported per line.
    """
    import random

    from bench.load import Chain, Request, Run, run_chains

    rng = random.Random(7)
    bare, answer = Run(), Run()
    warm_up = [Chain(s["cookies"], [Request("GET", "/healthz")] * 5) for s in sessions[:20]]
    await run_chains(base_url, warm_up, concurrency=CONCURRENCY)
    per_round = ANSWERS_PER_PLAYER // ROUNDS
    for number in range(ROUNDS):
        answers = []
        for session in sessions:
            headers = {"HX-Request": "true", "X-CSRFToken": session["cookies"]["csrftoken"]}
            items = session["items"][number * per_round : (number + 1) * per_round]
            answers.append(
                Chain(
                    session["cookies"],
                    [
                        Request(
                            "POST",
                            item["url"],
                            data=_answer_fields(item, rng),
                            headers={**headers, "HX-Current-URL": base_url + item["url"]},
                        )
                        for item in items
                    ],
                )
            )
        bare_chains = [Chain(c.cookies, [Request("GET", "/healthz")] * len(c.requests)) for c in answers]
        bare.add(await run_chains(base_url, bare_chains, concurrency=CONCURRENCY))
        answer.add(await run_chains(base_url, answers, concurrency=CONCURRENCY))

    def summary(run: Run) -> dict[str, Any]:
        return {
            "requests": run.count,
            "rps": run.rps,
            "p50_ms": run.percentile(50),
            "p99_ms": run.percentile(99),
            "statuses": {str(k): v for k, v in run.statuses().items()},
            "client_cpu": run.client_cpu_share,
            "errors": sorted({o.error for o in run.outcomes if o.error})[:3],
        }

    return {"bare": summary(bare), "answer": summary(answer)}


def measure_throughput(database_url: str, quiz_id: int, workdir: Path) -> dict[str, Any]:
    from django.db import connections

    from quiz.models import Item

    log(f"throughput: preparing {PLAYERS} signed-in players x {ANSWERS_PER_PLAYER} served items")
    sessions = prepare_answers(quiz_id, PLAYERS, ANSWERS_PER_PLAYER)
    connections.close_all()
    env = server.server_env(database_url)
    workers = os.cpu_count() or 1
    log_path = workdir / "gunicorn.log"
    with server.Server(env, log_path, workers=workers) as srv:
        log(f"throughput: gunicorn with {workers} workers on {srv.url}")
        result = asyncio.run(drive(srv.url, sessions))
    names = [f"bench-player{i:03d}" for i in range(PLAYERS)]
    result["stored"] = Item.objects.filter(
        attempt__user__username__in=names, answered_at__isnull=False
    ).count()
    result["workers"] = workers
    result["concurrency"] = CONCURRENCY
    gunicorn_log = log_path.read_text(errors="replace")
    result["locked"] = gunicorn_log.count("database is locked")
    result["tracebacks"] = gunicorn_log.count("Traceback")
    connections.close_all()
    return result


def db_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def child(database_url: str, workdir: Path) -> dict[str, Any]:
    from django.db import connections

    from bench.data import create_bank, migrate, setup_django

    setup_django(database_url)
    started = time.perf_counter()
    migrate()
    result: dict[str, Any] = {"engine": db_version(), "sizes": {}}
    log(f"{result['engine']}: migrated in {time.perf_counter() - started:.1f}s")
    bank: dict[str, Any] = {}
    for size in SIZES:
        started = time.perf_counter()
        bank = create_bank(size)
        log(f"bank of {size:,} facts ready in {time.perf_counter() - started:.1f}s")
        result["sizes"][str(size)] = {
            "create_seconds": time.perf_counter() - started,
            "queries": count_queries(bank["topic"]),
            "build": time_build(bank["quiz_id"]),
        }
    result["throughput"] = measure_throughput(database_url, bank["quiz_id"], workdir)
    log("breakdown: the answer path, in-process")
    sessions = prepare_answers(bank["quiz_id"], BREAKDOWN_PLAYERS, ANSWERS_PER_PLAYER, prefix="bench-profile")
    result["breakdown"] = breakdown.measure(sessions, _answer_fields)
    connections.close_all()
    return result


# In the parent: orchestration and the table ------------------------------------------


def run_child(database_url: str, workdir: Path) -> dict[str, Any]:
    process = subprocess.run(
        [sys.executable, "-m", "bench.run", "--child", database_url, "--workdir", str(workdir)],
        cwd=server.ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if process.returncode != 0 or not lines:
        raise SystemExit(f"bench: the measurement of {database_url} failed (exit {process.returncode})")
    return json.loads(lines[-1].removeprefix(RESULT_PREFIX))


def figures(result: dict[str, Any]) -> dict[str, Any]:
    small, large = (result["sizes"][str(size)] for size in SIZES)
    constant = all(small["queries"].get(p) == large["queries"].get(p) for p in PAGES)
    bounded = all(
        max(small["queries"].get(p, 99), large["queries"].get(p, 99)) <= TARGET_QUERIES for p in PAGES
    )
    tp = result["throughput"]
    bare, answer = tp["bare"]["rps"], tp["answer"]["rps"]
    return {
        "ratio": answer / bare if bare else 0.0,
        "constant": constant,
        "bounded": bounded,
        "build_ratio": large["build"]["median_ms"] / small["build"]["median_ms"],
    }


def print_report(machine: dict[str, str], results: list[dict[str, Any]]) -> None:
    print()
    print("Machine")
    for key, value in machine.items():
        print(f"  {key:<10} {value}")
    for result in results:
        f = figures(result)
        tp = result["throughput"]
        small, large = (result["sizes"][str(size)] for size in SIZES)
        print()
        print(f"{result['engine']}")
        print(
            f"  gunicorn {tp['workers']} workers, {tp['concurrency']} concurrent clients, "
            f"{tp['answer']['requests']} requests per line"
        )
        print(f"  {'':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}   statuses       client CPU")
        for name, key in (
            ("bare view GET /healthz", "bare"),
            ("answer POST (htmx, distinct items)", "answer"),
        ):
            run = tp[key]
            print(
                f"  {name:<34}{run['rps']:>9.1f}{run['p50_ms']:>9.1f}{run['p99_ms']:>9.1f}   "
                f"{json.dumps(run['statuses']):<14} {run['client_cpu']:.0%} of a core"
            )
            for error in run["errors"]:
                print(f"      error: {error}")
        ok = "meets" if f["ratio"] >= TARGET_RATIO else "MISSES"
        print(f"  answer/bare throughput ratio         {f['ratio']:.2f}  ({ok} target >= {TARGET_RATIO})")
        print(
            f"  answers stored {tp['stored']} of {tp['answer']['requests']} posted; "
            f"'database is locked' in server log: {tp['locked']}; tracebacks: {tp['tracebacks']}"
        )
        print_breakdown(result["breakdown"])
        print(f"  {'queries per request':<34}{'1k facts':>10}{'100k facts':>12}")
        for page in (*PAGES, "start (build_quiz)"):
            a, b = small["queries"].get(page, "-"), large["queries"].get(page, "-")
            flag = (
                "" if page not in PAGES or (a == b and isinstance(a, int) and a <= TARGET_QUERIES) else "  !"
            )
            print(f"  {page:<34}{a!s:>10}{b!s:>12}{flag}")
        constant, bounded = ("yes" if f[key] else "no" for key in ("constant", "bounded"))
        print(f"  queries constant across sizes: {constant}; all <= {TARGET_QUERIES}: {bounded}")
        print(
            f"  build_quiz, 10 questions (median of {BUILD_RUNS})  "
            f"1k: {small['build']['median_ms']:.1f} ms ({small['build']['queries']} queries)  "
            f"100k: {large['build']['median_ms']:.1f} ms ({large['build']['queries']} queries)  "
            f"ratio {f['build_ratio']:.2f} ({'meets' if f['build_ratio'] <= TARGET_BUILD else 'MISSES'} "
            f"target <= {TARGET_BUILD})"
        )
        print(
            f"  synthetic bank created: 1k in {small['create_seconds']:.1f}s, "
            f"grown to 100k in {large['create_seconds']:.1f}s"
        )
    all_figures = [figures(r) for r in results]
    ratio = min(f["ratio"] for f in all_figures)
    all_constant = all(f["constant"] for f in all_figures)
    build_ratio = max(f["build_ratio"] for f in all_figures)
    print()
    verdict = "yes" if all_constant else "no"
    print(f"bench: answer/bare={ratio:.2f} queries_constant={verdict} build_ratio={build_ratio:.2f}")


def print_breakdown(figures: dict[str, Any]) -> None:
    """Where the answer's server time goes (see :mod:`bench.breakdown`)."""
    bare, answer = figures["bare_us"], figures["answer_us"]
    print(f"  server time per request, in-process ({figures['count']} answers)       us   x bare")
    print(f"  {'bare view GET /healthz':<48}{bare:>8.0f}{1:>7.1f}")
    print(f"  {'answer POST':<48}{answer:>8.0f}{answer / bare:>7.1f}")
    rest = answer
    for label, spent in figures["parts"].items():
        rest -= spent
        print(f"    {label:<46}{spent:>8.0f}{spent / bare:>7.1f}")
    print(f"    {'the rest (middleware, CSRF, URLs, response)':<46}{rest:>8.0f}{rest / bare:>7.1f}")


def machine_info(engines: list[str]) -> dict[str, str]:
    import django

    return {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "databases": ", ".join(engines),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure throughput, queries and quiz building.")
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.child, Path(args.workdir))
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return 0

    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        log("collectstatic (whitenoise's manifest, as in production)")
        server.collectstatic(server.server_env(server.sqlite_url(workdir / "static.sqlite3")))
        sqlite_dir = workdir / "sqlite"
        sqlite_dir.mkdir()
        log(f"SQLite: a throwaway file in {sqlite_dir}")
        results.append(run_child(server.sqlite_url(sqlite_dir / "bench.sqlite3"), sqlite_dir))
        database_url = os.environ.get("DATABASE_URL", "")
        if server.is_postgres(database_url):
            name = f"bench_{os.getpid()}"
            log(f"PostgreSQL: a throwaway database {name}")
            pg_dir = workdir / "postgres"
            pg_dir.mkdir()
            with server.throwaway_postgres(database_url, name) as url:
                results.append(run_child(url, pg_dir))
    machine = machine_info([r["engine"] for r in results])
    machine["bench time"] = f"{time.perf_counter() - started:.0f} s"
    print_report(machine, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
