"""Scale-out: two uvicorn processes share one game through Redis (channels-redis) and one
database. The host is on one, the players on the other; the game completes, nothing is lost."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from bench.live import Host, Uvicorn, host_screen, join_all, live_env, prepare, right_choice, stored_answers
from bench.server import fetch, sqlite_url

REDIS = "redis://127.0.0.1:6379/0"


def test_a_game_runs_across_two_app_servers_sharing_redis():
    with tempfile.TemporaryDirectory() as tmp:
        url = sqlite_url(Path(tmp) / "live.sqlite3")
        env = live_env(url, REDIS, prefix=f"test-live-{os.getpid()}")
        setup = prepare(env, questions=2)
        with Uvicorn(env, Path(tmp) / "a.log") as a, Uvicorn(env, Path(tmp) / "b.log") as b:
            game_id = asyncio.run(_play(a.url, b.url, setup["session"]))
        assert stored_answers(url, game_id) == 6
        assert fetch(url, "SELECT state FROM quiz_livegame")[0][0] == "ended"


async def _play(host_base: str, player_base: str, session: str) -> str:
    host = Host(host_base, session)
    game_id = await asyncio.to_thread(host.create, "quiz:live-bench-quiz", length=5, scoring="accuracy")
    screen = await host_screen(host_base, session, game_id)  # the class screen, on server A
    players = await join_all([player_base], host.pin, game_id, 3)
    try:
        for position in (1, 2):
            # The host's button, on server A, reaches the phones on server B.
            await asyncio.to_thread(host.act, "next")
            await asyncio.gather(*(p.wait_for(f"Bench question {position}?", timeout=15) for p in players))
            acks = await asyncio.gather(*(p.answer(position, right_choice(position)) for p in players))
            assert all(ok for _, ok in acks)
            reveals = await asyncio.gather(*(p.wait_for('data-state="reveal"', timeout=15) for p in players))
            assert all("Right! +1000" in text for _, text in reveals)
            page = await asyncio.to_thread(host.client.get, f"/live/{game_id}/host/")
            assert "right answer" in page.text
        await asyncio.to_thread(host.act, "finish")
        ended = await asyncio.gather(*(p.wait_for('data-state="ended"', timeout=15) for p in players))
        assert all("2000 points" in text for _, text in ended)
    finally:
        await asyncio.gather(*(p.close() for p in [*players, screen]))
    return game_id
