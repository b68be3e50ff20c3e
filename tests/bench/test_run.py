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
from bench.run import PAGES, SHORT, figures, print_report


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
        assert tp["bare_after"]["statuses"] == {"200": SHORT.bare_requests}
        assert tp["dossier"]["statuses"] == {"200": SHORT.dossier_requests}
        assert tp["posted"] == tp["answer"]["requests"] == answers
        assert tp["answer"]["statuses"] == {"200": answers}
        assert tp["stored"] == tp["answer"]["ok"] == answers
        assert (tp["locked"], tp["tracebacks"]) == (0, 0)
        for key in ("bare", "dossier", "answer", "bare_after"):
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


def _result(*, posted: int, ok: int, stored: int) -> dict:
    run = {"requests": posted, "rps": 100.0, "p50_ms": 1.0, "p99_ms": 2.0, "ok": ok, "fillers": 0}
    run |= {"statuses": {"200": ok, "500": posted - ok}, "socket_errors": 0, "client_cpu": 0.1}
    queries = dict.fromkeys(PAGES, 5)
    size = {"queries": queries, "build": {"median_ms": 10.0, "queries": 20}, "create_seconds": 1.0}
    return {
        "engine": "SQLite 3",
        "vendor": "sqlite",
        "plan": {"sizes": [1, 2], "build_runs": 3},
        "sizes": {"1": size, "2": size},
        "throughput": {
            "workers": 2,
            "connections": 16,
            "dossier_path": "/dossiers/x/",
            "load_average": [0.5, 0.7],
            "bare": {**run, "rps": 450.0, "ok": posted, "statuses": {"200": posted}},
            "bare_after": {**run, "rps": 550.0, "ok": posted, "statuses": {"200": posted}},
            "dossier": {**run, "rps": 200.0, "ok": posted, "statuses": {"200": posted}},
            "answer": run,
            "posted": posted,
            "stored": stored,
            "locked": 0,
            "tracebacks": 0,
        },
        "breakdown": {"bare_us": 100.0, "answer_us": 500.0, "parts": {}, "count": 9},
    }


def test_the_report_flags_answers_stored_that_do_not_match_the_2xx_wrk_counted(capsys):
    """Stored = acknowledged = posted passes; an answer lost, or stored without a 2xx, is flagged."""
    assert figures(_result(posted=10, ok=10, stored=10))["answers_match"]
    assert not figures(_result(posted=10, ok=10, stored=9))["answers_match"]  # acknowledged, then lost
    assert not figures(_result(posted=10, ok=9, stored=10))["answers_match"]  # stored, but answered 500
    print_report({"CPU": "x"}, [_result(posted=10, ok=9, stored=10)])
    out = capsys.readouterr().out
    assert "answers: 10 posted, 9 got a 2xx, 10 stored (MISMATCH)" in out
    assert "answer/bare  throughput ratio       0.20  (meets target >= 0.17)" in out
    assert "dossier/bare throughput ratio       0.40  (meets target >= 0.2)" in out
    assert "(bare = 500.0 req/s, the mean of its runs before and after the others)" in out
    assert out.strip().splitlines()[-1].startswith("bench: answer/bare=0.20 dossier/bare=0.40 ")
