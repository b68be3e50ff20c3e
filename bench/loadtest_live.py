"""Load test of the live game: 300 players, 10 questions, nothing lost or doubled.

Each question every player answers at once, and every tenth player sends its answer a
second time (a replay, a second tab); after each question the answers stored must equal
the answers acknowledged, and at the end every player's total must be what their
acknowledged answers earned. Run: ``python -m bench.loadtest_live`` (``make loadtest-live``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.live import (
    Host,
    Uvicorn,
    database,
    host_screen,
    join_all,
    live_env,
    prepare,
    right_choice,
    stored_answers,
)


async def play(base: str, session: str, database_url: str, players: int, questions: int) -> list[str]:
    problems: list[str] = []
    host = Host(base, session)
    game_id = await asyncio.to_thread(
        host.create, "quiz:live-bench-quiz", length=questions, seconds=60, scoring="accuracy"
    )
    screen = await host_screen(base, session, game_id)
    phones = await join_all([base], host.pin, game_id, players)
    try:
        for position in range(1, questions + 1):
            started = time.perf_counter()
            await asyncio.to_thread(host.act, "next")
            await asyncio.gather(*(p.wait_for(f"Bench question {position}?") for p in phones))
            # Half answer right, half wrong. Every tenth player answers first and replays its
            # answer (a second tab) while the question is still open; then the rest all at once.
            choice = [(right_choice(position) + n % 2) % 4 for n in range(players)]
            early = await asyncio.gather(
                *(phones[n].answer(position, choice[n]) for n in range(0, players, 10))
            )
            replays = await asyncio.gather(*(phones[n].answer(position, 3) for n in range(0, players, 10)))
            rest = await asyncio.gather(
                *(phones[n].answer(position, choice[n]) for n in range(players) if n % 10)
            )
            answers = early + rest
            await asyncio.gather(*(p.wait_for('data-state="reveal"') for p in phones))
            acked = sum(1 for _, ok in answers if ok)
            stored = stored_answers(database_url, game_id, position)
            print(
                f"question {position:>2}: {acked} acknowledged, {stored} stored, "
                f"{len(replays)} replays refused, {time.perf_counter() - started:.2f}s",
                flush=True,
            )
            if stored != acked or acked != players:
                problems.append(f"question {position}: {acked} acknowledged, {stored} stored")
        await asyncio.to_thread(host.act, "finish")
        ends = await asyncio.gather(*(p.wait_for('data-state="ended"') for p in phones))
        for n, (_, text) in enumerate(ends):
            expected = 1000 * questions if n % 2 == 0 else 0
            if f"with <strong>{expected}</strong> points" not in text:
                problems.append(f"player {n}: expected {expected} points")
    finally:
        await asyncio.gather(*(p.close() for p in [*phones, screen]))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=300)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)
    with database(args.database_url) as url, tempfile.TemporaryDirectory() as logs:
        env = live_env(url)
        setup = prepare(env, questions=args.questions)
        with Uvicorn(env, Path(logs) / "uvicorn.log") as server:
            problems = asyncio.run(play(server.url, setup["session"], url, args.players, args.questions))
    for problem in problems:
        print("PROBLEM:", problem)
    print("OK: nothing lost or doubled" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
