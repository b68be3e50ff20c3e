"""bench.wrk: the generated Lua script, run by the real wrk against a small real HTTP server.

The server (Python's ``ThreadingHTTPServer``, HTTP/1.0: one request a connection, as
gunicorn's sync workers) records every request it receives and answers ``/healthz`` with
``ok`` (the filler), ``/teapot`` with 418, anything else with a short page naming the path.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bench import wrk
from bench.wrk import WrkRequest


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str, dict[str, str]]]] = []
    lock = threading.Lock()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        with self.lock:
            self.seen.append((self.command, self.path, body, dict(self.headers)))
        status, payload = 200, f"<p>{self.path}</p>".encode()
        if self.path == "/healthz":
            payload = b"ok"
        elif self.path == "/teapot":
            status = 418
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_request_line_holds_method_path_body_and_headers_separated_by_tabs():
    request = WrkRequest("POST", "/play/1/q/2/", "choice=1", {"Cookie": "a=b; c=d", "HX-Request": "true"})
    assert request.line() == "POST\t/play/1/q/2/\tchoice=1\tCookie: a=b; c=d\tHX-Request: true"
    with pytest.raises(ValueError, match="tab or a line break"):
        WrkRequest("GET", "/x", headers={"X": "a\tb"}).line()


def test_the_script_names_its_files_target_and_mode(tmp_path):
    script = wrk.lua_script(tmp_path / 'r "1".tsv', tmp_path / "done", target=250, cycle=False)
    assert f'local REQUESTS_FILE = "{tmp_path}/r \\"1\\".tsv"' in script
    assert "local TARGET = 250" in script
    assert "local CYCLE = false" in script
    assert 'local FILLER_PATH = "/healthz"' in script
    assert "@" not in script.replace('"@', "")  # every placeholder was filled


def test_parse_reads_the_result_line_among_wrks_own_output():
    output = (
        "Running 5m test @ http://127.0.0.1:1\n  1 threads and 16 connections\n"
        "Requests/sec:   1234.00\n"
        'BENCH-WRK {"sent": 12, "counted": 10, "fillers": 3, "window_us": 2000000, '
        '"statuses": {"200": 9, "500": 1}, "p50_us": 1500, "p99_us": 9000, '
        '"errors": {"connect": 0, "read": 1, "write": 0, "status": 1, "timeout": 0}}\n'
    )
    result = wrk.parse(output)
    assert (result.counted, result.sent, result.fillers) == (10, 12, 3)
    assert result.statuses == {200: 9, 500: 1}
    assert result.ok == 9
    assert result.rps == 5.0
    assert (result.p50_ms, result.p99_ms) == (1.5, 9.0)
    assert result.socket_errors == 1
    with pytest.raises(wrk.WrkError, match="no BENCH-WRK line"):
        wrk.parse("Running 5m test\n")


def test_a_list_sent_once_reaches_the_server_once_each_in_order_then_only_fillers(server, tmp_path):
    """Every request of the list arrives exactly once with its body and headers; the fillers
    that keep connections busy while the last ones are in flight are not counted."""
    requests = [
        WrkRequest("POST", f"/answer/{n}/", f"choice={n % 4}", {"Cookie": f"sessionid=s{n}"})
        for n in range(300)
    ]
    result = wrk.run(server, requests, tmp_path, connections=8)
    posts = [entry for entry in Recorder.seen if entry[0] == "POST"]
    assert Counter(path for _, path, _, _ in posts) == {f"/answer/{n}/": 1 for n in range(300)}
    first = {path: i for i, (_, path, _, _) in enumerate(posts)}
    assert first["/answer/0/"] < first["/answer/150/"] < first["/answer/299/"]
    assert all(body == f"choice={int(path.split('/')[2]) % 4}" for _, path, body, _ in posts)
    assert all(headers["Cookie"] == f"sessionid=s{path.split('/')[2]}" for _, path, _, headers in posts)
    assert {path for method, path, _, _ in Recorder.seen if method == "GET"} <= {"/healthz"}
    assert result.counted == result.sent == 300
    assert result.statuses == {200: 300}
    assert len(Recorder.seen) - 300 <= result.fillers  # a filler asked for may be cut off by the stop
    assert result.socket_errors == 0
    assert result.window_seconds > 0
    assert result.rps > 0
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.wall_seconds >= result.window_seconds
    assert result.client_cpu_seconds > 0


def test_a_cycled_list_is_sent_until_the_target_is_counted_and_statuses_are_kept(server, tmp_path):
    requests = [WrkRequest("GET", "/page/"), WrkRequest("GET", "/teapot")]
    result = wrk.run(server, requests, tmp_path, target=200, connections=4)
    assert result.counted == 200
    assert result.statuses[200] + result.statuses[418] == 200
    assert abs(result.statuses[200] - result.statuses[418]) <= 4  # alternated, 4 in flight at most
    assert result.fillers == 0
    assert len(Recorder.seen) >= 200


def test_a_cycled_run_with_a_time_limit_stops_there_short_of_its_target(server, tmp_path):
    result = wrk.run(server, [WrkRequest("GET", "/page/")], tmp_path, target=10**9, limit_seconds=0.3)
    assert 0 < result.counted < 10**9
    assert result.window_seconds >= 0.3
    assert result.statuses == {200: result.counted}
