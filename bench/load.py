"""A bounded async load generator: a fixed list of request chains, a fixed concurrency.

Each *chain* is a list of requests one client sends in order (one player answering their
questions one after another); ``concurrency`` chains run at once. It stops by itself when
every chain has run, and every request has a timeout. The generator's own CPU time is
recorded: on a two-core machine it shares the CPUs with the server, and a figure means
little if the client was the bottleneck.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    data: dict[str, str] | None = None
    headers: dict[str, str] | None = None
    #: Handed back with the outcome (e.g. which item this answer was for).
    tag: object = None


@dataclass(frozen=True)
class Chain:
    client: httpx.AsyncClient
    requests: Sequence[Request]


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


async def _send(client: httpx.AsyncClient, request: Request) -> Outcome:
    started = time.perf_counter()
    try:
        response = await client.request(
            request.method, request.url, data=request.data, headers=request.headers
        )
    except httpx.HTTPError as exc:
        return Outcome(request, 0, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    return Outcome(request, response.status_code, time.perf_counter() - started)


async def run_chains(chains: Sequence[Chain], *, concurrency: int) -> Run:
    """Run every chain, ``concurrency`` at a time; each chain's requests in order."""
    queue: asyncio.Queue[Chain] = asyncio.Queue()
    for chain in chains:
        queue.put_nowait(chain)
    run = Run()

    async def worker() -> None:
        while True:
            try:
                chain = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            for request in chain.requests:
                run.outcomes.append(await _send(chain.client, request))

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.wall_seconds = time.perf_counter() - wall
    run.client_cpu_seconds = time.process_time() - cpu
    return run
