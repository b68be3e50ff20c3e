"""``make bench`` end to end, in its short mode: real gunicorn, real wrk, a throwaway database.

One small run (a few hundred requests): every figure is there, every answer wrk counted as
acknowledged is stored, and nothing else. No figure is compared with a threshold: the
machine's speed is not what this test is about.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench import server
from bench.run import SHORT


def test_the_short_bench_drives_gunicorn_with_wrk_and_every_acknowledged_answer_is_stored(tmp_path):
    figures = tmp_path / "bench.json"
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    process = subprocess.run(
        [sys.executable, "-m", "bench.run", "--short", "--json", str(figures)],
        cwd=server.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    data = json.loads(figures.read_text())
    engines = 2 if server.is_postgres(os.environ.get("DATABASE_URL")) else 1
    assert len(data["results"]) == engines
    answers = SHORT.players * SHORT.answers_per_player
    for result in data["results"]:
        tp = result["throughput"]
        assert tp["bare"]["requests"] == SHORT.bare_requests
        assert tp["dossier"]["requests"] == SHORT.dossier_requests
        assert tp["bare"]["statuses"] == {"200": SHORT.bare_requests}
        assert tp["dossier"]["statuses"] == {"200": SHORT.dossier_requests}
        assert tp["posted"] == tp["answer"]["requests"] == answers
        assert tp["answer"]["statuses"] == {"200": answers}
        assert tp["stored"] == tp["answer"]["ok"] == answers
        assert (tp["locked"], tp["tracebacks"]) == (0, 0)
        for key in ("bare", "dossier", "answer"):
            run = tp[key]
            assert run["socket_errors"] == 0
            assert run["rps"] > 0
            assert 0 < run["p50_ms"] <= run["p99_ms"]
            assert run["client_cpu"] > 0
        assert result["breakdown"]["statuses"] == {"200": result["breakdown"]["count"]}
    out = process.stdout
    assert out.count("answer/bare  throughput ratio") == engines
    assert out.count("dossier/bare throughput ratio") == engines
    assert f"answers: {answers} posted, {answers} got a 2xx, {answers} stored (ok)" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("bench: answer/bare=")
    assert " dossier/bare=" in last
