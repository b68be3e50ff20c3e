"""A bounded async load generator: a fixed list of request chains, a fixed concurrency.

Each *chain* is a list of requests one client sends in order (one player answering their
questions one after another), with that player's cookies; ``concurrency`` chains run at
once. It stops by itself when every chain has run, and every request has a timeout.

Why not httpx: on a two-core machine the generator shares the CPUs with the server, and
httpx spent about a whole core driving ``/healthz`` (measured: ~455 req/s with httpx against
~1,470 req/s with this client, on the same server), so the bare baseline measured the
client. This client does as little as HTTP/1.1 allows:

- one :class:`Connection` per worker coroutine, kept alive between requests and reopened
  only when the server says ``Connection: close`` (gunicorn's sync workers always do) or
  closed it;
- every request's bytes are built before the clock starts (:func:`encode`);
- a response is read as a status line, headers, and a body of ``Content-Length`` bytes
  (chunked bodies and read-to-close bodies are read too, for completeness).

The generator's own CPU time is still recorded per run, so a reader can see whether the
client was the bottleneck.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

DEFAULT_TIMEOUT = 15.0


@dataclass(frozen=True)
class Request:
    method: str
    url: str  # a path on the server: "/healthz"
    data: dict[str, str] | None = None  # sent as an application/x-www-form-urlencoded body
    headers: dict[str, str] | None = None
    #: Handed back with the outcome (e.g. which item this answer was for).
    tag: object = None


@dataclass(frozen=True)
class Chain:
    cookies: dict[str, str]
    requests: Sequence[Request]


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes


@dataclass(frozen=True)
class Outcome:
    request: Request
    status: int  # 0 when the request failed without a response
    seconds: float
    error: str = ""


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    def add(self, other: Run) -> None:
        """Fold another run in (rounds of one measurement, run one after another)."""
        self.outcomes += other.outcomes
        self.wall_seconds += other.wall_seconds
        self.client_cpu_seconds += other.client_cpu_seconds

    @property
    def count(self) -> int:
        return len(self.outcomes)

    @property
    def ok(self) -> int:
        return sum(1 for o in self.outcomes if 200 <= o.status < 400)

    @property
    def rps(self) -> float:
        return self.count / self.wall_seconds if self.wall_seconds else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds (nearest rank)."""
        times = sorted(o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        rank = min(len(times) - 1, max(0, round(p / 100 * len(times) + 0.5) - 1))
        return times[rank] * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(o.seconds for o in self.outcomes) * 1000 if self.outcomes else 0.0

    @property
    def client_cpu_share(self) -> float:
        """The generator's CPU time as a share of the wall time (1.0 = one whole core)."""
        return self.client_cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return dict(sorted(counts.items()))


# The wire ---------------------------------------------------------------------


def encode(request: Request, *, host: str, cookies: dict[str, str] | None = None) -> bytes:
    """The request's HTTP/1.1 bytes: request line, headers, and the form body if any.

    ``host`` is the ``Host`` header (``127.0.0.1:8000``). No ``Connection`` header: keep-alive
    is HTTP/1.1's default.
    """
    lines = [f"{request.method} {request.url} HTTP/1.1", f"Host: {host}"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items()))
    lines += [f"{name}: {value}" for name, value in (request.headers or {}).items()]
    body = urlencode(request.data).encode() if request.data is not None else b""
    if request.data is not None or request.method not in {"GET", "HEAD"}:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class ProtocolError(ValueError):
    """The server's answer is not HTTP/1.x as this client reads it."""


async def read_response(reader: asyncio.StreamReader, *, method: str = "GET") -> Response:
    """Read one response: status line, headers, then the body its framing describes."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {status_line!r}")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(parts[1])
    if method == "HEAD" or status in {204, 304} or 100 <= status < 200:
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()  # framed by the server closing the connection
        headers["connection"] = "close"
    return Response(status, headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


class Connection:
    """One keep-alive HTTP/1.1 connection to ``host:port``, reopened when it has to be.

    A request on a reused connection that the server closed while it sat idle (EOF before
    a single byte of answer) is sent once more on a fresh connection, as browsers do; the
    server cannot have read it. Any other failure, or the ``timeout`` (connect, send and
    read together), closes the connection and raises.
    """

    def __init__(self, host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        #: How many times a TCP connection was opened (for tests and curiosity).
        self.opened = 0

    async def request(self, raw: bytes, *, method: str = "GET") -> Response:
        try:
            async with asyncio.timeout(self.timeout):
                reused = self.writer is not None
                try:
                    response = await self._exchange(raw, method)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    stale = isinstance(exc, ConnectionError) or not exc.partial
                    if not (reused and stale):
                        raise
                    self.close()
                    response = await self._exchange(raw, method)
        except BaseException:
            self.close()
            raise
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    async def _exchange(self, raw: bytes, method: str) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
        assert self.reader is not None
        self.writer.write(raw)
        await self.writer.drain()
        return await read_response(self.reader, method=method)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# Running chains ---------------------------------------------------------------


async def run_chains(
    base_url: str, chains: Sequence[Chain], *, concurrency: int, timeout: float = DEFAULT_TIMEOUT
) -> Run:
    """Run every chain, ``concurrency`` at a time; each chain's requests in order.

    Each of the ``concurrency`` workers holds one connection for all the chains it runs.
    The wall and CPU clocks start after every request's bytes are built.
    """
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    netloc = f"{host}:{port}"
    queue: asyncio.Queue[list[tuple[Request, bytes]]] = asyncio.Queue()
    for chain in chains:
        queue.put_nowait([(r, encode(r, host=netloc, cookies=chain.cookies)) for r in chain.requests])
    run = Run()

    async def worker() -> None:
        connection = Connection(host, port, timeout=timeout)
        try:
            while not queue.empty():
                for request, raw in queue.get_nowait():
                    started = time.perf_counter()
                    try:
                        response = await connection.request(raw, method=request.method)
                    except (OSError, ValueError, asyncio.IncompleteReadError, ProtocolError) as exc:
                        error = f"{type(exc).__name__}: {exc}"
                        run.outcomes.append(Outcome(request, 0, time.perf_counter() - started, error))
                    else:
                        run.outcomes.append(Outcome(request, response.status, time.perf_counter() - started))
        finally:
            connection.close()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.wall_seconds = time.perf_counter() - wall
    run.client_cpu_seconds = time.process_time() - cpu
    return run
