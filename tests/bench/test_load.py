"""The bench's lean HTTP/1.1 client, against a tiny asyncio server in the test's own loop.

The server reads one request at a time (head, then ``Content-Length`` body) and answers by
path: ``/echo`` tells what it received, ``/close`` answers with ``Connection: close`` and
hangs up, ``/drop`` answers as keep-alive and then hangs up, ``/chunked`` sends a chunked
body, ``/slow`` never answers. It counts the TCP connections it accepted, so connection
reuse is observed from the server's side.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.load import Chain, Connection, Request, encode, run_chains


class TinyServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[dict[str, object]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                request_line, *lines = head[:-4].decode().split("\r\n")
                method, path, _ = request_line.split(" ")
                headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen = {"method": method, "path": path, "headers": headers, "body": body.decode()}
                self.requests.append(seen)
                if path == "/slow":
                    await asyncio.sleep(60)
                if path == "/chunked":
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    writer.write(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                    continue
                payload = json.dumps(seen).encode()
                status = b"404 Not Found" if path == "/missing" else b"200 OK"
                close = path == "/close"
                if path == "/drop":  # answered as keep-alive, then hung up as if idle too long
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                    await writer.drain()
                    return
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nContent-Type: application/json\r\n"
                    + b"Content-Length: "
                    + str(len(payload)).encode()
                    + b"\r\n"
                    + (b"Connection: close\r\n" if close else b"")
                    + b"\r\n"
                    + payload
                )
                await writer.drain()
                if close:
                    return
        finally:
            writer.close()


def serve(test):
    """Run ``await test(server, port)`` with a TinyServer listening on a loopback port."""

    async def main():
        tiny = TinyServer()
        listener = await asyncio.start_server(tiny.handle, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        try:
            return await test(tiny, port)
        finally:
            listener.close()

    return asyncio.run(main())


def test_encode_builds_a_form_post_with_cookies_and_headers():
    """A POST carries Host, the cookies in one Cookie header, its headers and a urlencoded body."""
    raw = encode(
        Request("POST", "/play/1/q/2/", data={"choice": "1", "x": "a b"}, headers={"X-CSRFToken": "t"}),
        host="127.0.0.1:8000",
        cookies={"sessionid": "s", "csrftoken": "t"},
    )
    head, body = raw.split(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /play/1/q/2/ HTTP/1.1"
    assert "Host: 127.0.0.1:8000" in lines
    assert "Cookie: sessionid=s; csrftoken=t" in lines
    assert "X-CSRFToken: t" in lines
    assert "Content-Type: application/x-www-form-urlencoded" in lines
    assert f"Content-Length: {len(body)}" in lines
    assert body == b"choice=1&x=a+b"


def test_a_get_has_no_body_headers():
    """A GET without data sends neither Content-Type nor Content-Length, and ends at the blank line."""
    raw = encode(Request("GET", "/healthz"), host="h:1")
    assert raw == b"GET /healthz HTTP/1.1\r\nHost: h:1\r\n\r\n"


def test_response_status_headers_and_body_are_parsed_and_the_connection_reused():
    """Three requests on one keep-alive connection: one TCP connection, each body read whole."""

    async def test(tiny, port):
        connection = Connection("127.0.0.1", port, timeout=5)
        responses = [
            await connection.request(encode(Request("GET", f"/echo?n={n}"), host=f"127.0.0.1:{port}"))
            for n in range(3)
        ]
        missing = await connection.request(encode(Request("GET", "/missing"), host="h"))
        connection.close()
        return tiny, connection, responses, missing

    tiny, connection, responses, missing = serve(test)
    assert [r.status for r in responses] == [200, 200, 200]
    assert responses[0].headers["content-type"] == "application/json"
    assert [json.loads(r.body)["path"] for r in responses] == ["/echo?n=0", "/echo?n=1", "/echo?n=2"]
    assert missing.status == 404
    assert tiny.connections == 1
    assert connection.opened == 1


def test_connection_close_makes_the_next_request_reconnect():
    """After a ``Connection: close`` answer the next request opens a new connection and succeeds."""

    async def test(tiny, port):
        connection = Connection("127.0.0.1", port, timeout=5)
        first = await connection.request(encode(Request("GET", "/close"), host="h"))
        second = await connection.request(encode(Request("GET", "/close"), host="h"))
        third = await connection.request(encode(Request("GET", "/echo"), host="h"))
        connection.close()
        return tiny, connection, [first, second, third]

    tiny, connection, responses = serve(test)
    assert [r.status for r in responses] == [200, 200, 200]
    assert json.loads(responses[2].body)["path"] == "/echo"
    assert tiny.connections == 3
    assert connection.opened == 3


def test_a_keep_alive_connection_the_server_dropped_is_reopened_once():
    """A request on a connection the server closed while idle is sent again on a fresh one."""

    async def test(tiny, port):
        connection = Connection("127.0.0.1", port, timeout=5)
        dropped = await connection.request(encode(Request("GET", "/drop"), host="h"))
        await asyncio.sleep(0.05)  # let the hang-up arrive before the next request
        after = await connection.request(encode(Request("POST", "/echo", data={"a": "1"}), host="h"))
        connection.close()
        return tiny, connection, dropped, after

    tiny, connection, dropped, after = serve(test)
    assert (dropped.status, dropped.body) == (204, b"")
    assert json.loads(after.body)["body"] == "a=1"
    assert connection.opened == 2
    assert [r["path"] for r in tiny.requests] == ["/drop", "/echo"]


def test_a_chunked_body_is_read_and_the_connection_stays_usable():
    """A chunked answer is joined, and the request after it is read from the same connection."""

    async def test(tiny, port):
        connection = Connection("127.0.0.1", port, timeout=5)
        chunked = await connection.request(encode(Request("GET", "/chunked"), host="h"))
        after = await connection.request(encode(Request("GET", "/echo"), host="h"))
        connection.close()
        return tiny, chunked, after

    tiny, chunked, after = serve(test)
    assert chunked.body == b"hello world"
    assert json.loads(after.body)["path"] == "/echo"
    assert tiny.connections == 1


def test_a_request_that_gets_no_answer_times_out():
    """The timeout covers the whole exchange: a silent server raises TimeoutError."""

    async def test(tiny, port):
        connection = Connection("127.0.0.1", port, timeout=0.2)
        with pytest.raises(TimeoutError):
            await connection.request(encode(Request("GET", "/slow"), host="h"))
        return connection

    connection = serve(test)
    assert connection.writer is None  # closed: the next request starts afresh


def test_run_chains_sends_every_request_in_order_with_its_chains_cookies():
    """Each chain's requests go out in order with its cookies; one connection per worker."""

    async def test(tiny, port):
        chains = [
            Chain(
                {"sessionid": f"s{n}"},
                [Request("POST", f"/echo/{n}/{i}", data={"i": str(i)}) for i in range(3)],
            )
            for n in range(4)
        ]
        run = await run_chains(f"http://127.0.0.1:{port}", chains, concurrency=2, timeout=5)
        return tiny, run

    tiny, run = serve(test)
    assert run.count == 12
    assert run.statuses() == {200: 12}
    assert tiny.connections == 2
    for n in range(4):
        mine = [r for r in tiny.requests if r["headers"]["cookie"] == f"sessionid=s{n}"]
        assert [r["path"] for r in mine] == [f"/echo/{n}/{i}" for i in range(3)]
        assert [r["body"] for r in mine] == [f"i={i}" for i in range(3)]
    assert run.wall_seconds > 0


def test_run_chains_records_a_timeout_as_a_failed_outcome_and_goes_on():
    """A request that times out counts as status 0 with its error; the chain's next request still runs."""

    async def test(tiny, port):
        chain = Chain({}, [Request("GET", "/slow"), Request("GET", "/echo")])
        return await run_chains(f"http://127.0.0.1:{port}", [chain], concurrency=1, timeout=0.2)

    run = serve(test)
    assert [o.status for o in run.outcomes] == [0, 200]
    assert run.outcomes[0].error.startswith("TimeoutError")
    assert run.ok == 1


def test_run_chains_records_a_refused_connection():
    """With nothing listening every request fails fast with status 0 and the run still ends."""

    async def test(tiny, port):
        return port

    port = serve(test)  # the listener is closed once serve() returns

    run = asyncio.run(
        run_chains(
            f"http://127.0.0.1:{port}", [Chain({}, [Request("GET", "/")] * 2)], concurrency=1, timeout=2
        )
    )
    assert run.statuses() == {0: 2}
    assert all(o.error for o in run.outcomes)
