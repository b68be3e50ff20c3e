"""The study queries, measured: the due count and the next session's due cards, at 1k and 100k cards.

``python -m bench.study`` (the lead folds it into ``make bench``). Each engine runs in a
child process on a throwaway database, as :mod:`bench.run` does: a SQLite file in a
temporary directory always, and a database ``bench_study_<pid>`` when ``DATABASE_URL``
names a PostgreSQL server.

The measured player has 1,000 cards, a fifth of them due. The table first holds only
theirs (1,000 cards), then 99 other players' too (100,000 cards): with the ``(player,
due)`` index both queries read the same index range whatever the table holds, so their
time should stay flat. Each figure is the median of many calls of the app's own
functions (:func:`quiz.study.memory.due_count`, :func:`quiz.study.sessions.due_cards`),
ORM included. The last line sums up::

    bench-study: due_count_ratio=X.XX session_ratio=Y.YY (target <= 1.5)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import server

CARDS_PER_PLAYER = 1_000
PLAYERS = (1, 100)
DUE_SHARE = 5  # one card in five is due
RUNS = 300
TARGET = 1.5
RESULT_PREFIX = "BENCH-STUDY "
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def add_players(first: int, last: int, fact_ids: list[int]) -> None:
    from quiz.study.models import MemoryCard

    cards = []
    for p in range(first, last):
        for i, fact_id in enumerate(fact_ids):
            due = NOW - dt.timedelta(hours=i + 1) if i % DUE_SHARE == 0 else NOW + dt.timedelta(hours=i + 1)
            cards.append(
                MemoryCard(
                    player=f"sbench-player-{p:04d}",
                    fact_id=fact_id,
                    state=MemoryCard.State.REVIEW,
                    stability=3.0,
                    difficulty=5.0,
                    due=due,
                    last_review=due - dt.timedelta(days=3),
                    introduced_at=due - dt.timedelta(days=3),
                    reps=1,
                )
            )
    MemoryCard.objects.bulk_create(cards, batch_size=2000)


def median_ms(call: Any) -> float:
    call()  # warm-up: connection, statement cache
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def child(database_url: str) -> dict[str, Any]:
    from bench.data import create_bank, migrate, setup_django

    setup_django(database_url)
    migrate()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from content.models import Fact
    from quiz.models import Player
    from quiz.study import memory, sessions
    from quiz.study.models import MemoryCard

    create_bank(CARDS_PER_PLAYER)
    fact_ids = list(Fact.objects.order_by("pk").values_list("pk", flat=True)[:CARDS_PER_PLAYER])
    player = Player(user_id=None, session_key="bench-player-0000")
    figures: dict[str, Any] = {"engine": connection.vendor, "sizes": {}}
    done = 0
    for players in PLAYERS:
        add_players(done, players, fact_ids)
        done = players
        if connection.vendor == "postgresql":  # as autovacuum would: statistics, visibility map
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {MemoryCard._meta.db_table}")
        total = MemoryCard.objects.count()
        due = memory.due_count(player, NOW)
        assert due == CARDS_PER_PLAYER // DUE_SHARE, due
        assert len(sessions.due_cards(player, NOW)) == sessions.SESSION_SIZE
        with CaptureQueriesContext(connection) as captured:
            memory.due_count(player, NOW)
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cursor:
            cursor.execute(explain + captured.captured_queries[0]["sql"])
            plan = " | ".join(str(row[-1]).strip() for row in cursor.fetchall())
        figures["sizes"][str(total)] = {
            "due_count_ms": median_ms(lambda: memory.due_count(player, NOW)),
            "session_ms": median_ms(lambda: sessions.due_cards(player, NOW)),
            "plan": plan,
        }
    return figures


def run_child(database_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.study", "--child", database_url],
        capture_output=True,
        text=True,
        check=True,
        env=server.server_env(database_url, static="plain"),
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX))
    return json.loads(line[len(RESULT_PREFIX) :])


def report(results: list[dict[str, Any]]) -> tuple[float, float]:
    worst_count = worst_session = 0.0
    print(f"{'engine':<12} {'cards':>8} {'due count (ms)':>15} {'next session (ms)':>18}")
    for result in results:
        sizes = result["sizes"]
        for total, row in sizes.items():
            count_ms, session_ms = row["due_count_ms"], row["session_ms"]
            print(f"{result['engine']:<12} {int(total):>8,} {count_ms:>15.3f} {session_ms:>18.3f}")
            print(f"    plan: {row['plan']}")
        small, large = (sizes[key] for key in sorted(sizes, key=int))
        count_ratio = large["due_count_ms"] / small["due_count_ms"]
        session_ratio = large["session_ms"] / small["session_ms"]
        print(
            f"{result['engine']:<12} 100k/1k: due count {count_ratio:.2f}, next session {session_ratio:.2f}"
        )
        worst_count, worst_session = max(worst_count, count_ratio), max(worst_session, session_ratio)
    return worst_count, worst_session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the study queries at 1k and 100k cards.")
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(RESULT_PREFIX + json.dumps(child(args.child)), flush=True)
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-study-") as tmp:
        results.append(run_child(server.sqlite_url(Path(tmp) / "study.sqlite3")))
        database_url = os.environ.get("DATABASE_URL", "")
        if server.is_postgres(database_url):
            with server.throwaway_postgres(database_url, f"bench_study_{os.getpid()}") as url:
                results.append(run_child(url))
    count_ratio, session_ratio = report(results)
    met = "met" if max(count_ratio, session_ratio) <= TARGET else "MISSED"
    summary = f"due_count_ratio={count_ratio:.2f} session_ratio={session_ratio:.2f}"
    print(f"bench-study: {summary} (target <= {TARGET}: {met})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
