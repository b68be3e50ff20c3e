"""Throughput with wrk (a C load generator): a list of requests, sent a fixed number of times.

``make bench`` used to drive the server with its own asyncio client, which on a two-core
machine was itself the bottleneck on the bare view (2,290 req/s where wrk drove 5,500).
wrk's event loop costs a fraction of that, and its CPU share is measured and printed
beside every figure, so a reader can see the client was not what was measured.

What wrk is given, per run:

- a file of requests, one a line: ``METHOD<TAB>PATH<TAB>BODY<TAB>Header: value...``;
- a Lua script (:func:`lua_script`) that pre-formats them all in ``init`` and hands them
  out in order. A *cycled* list (the GETs) is sent again and again until ``target``
  responses are counted. A list sent *once* (the answer POSTs, each a fresh unanswered
  item) is followed by *fillers* (``GET /healthz``, recognised by their body ``ok``, and
  not counted) while the last answers are in flight: wrk cannot close a connection from
  Lua, and a connection opened with nothing to send would hold one of gunicorn's sync
  workers until wrk exits, stalling the answers still queued behind it.
- Once ``target`` responses are counted, the script writes a marker file and stops its
  thread; this module then sends wrk SIGINT (wrk's main thread otherwise sleeps out its
  whole ``-d`` duration, which here is only a deadline).

The script times the run itself (first request sent to last counted response, with
``CLOCK_MONOTONIC`` through LuaJIT's FFI) and prints one line, ``BENCH-WRK {json}``, with
the counted responses by status, the fillers, wrk's socket errors and its latency
percentiles (which include the few fillers of an answer run's tail).

One wrk thread only: with several, a thread that finished early would leave idle
connections behind while the others still send requests (see the fillers above). One
thread of wrk drives far more requests than this server answers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

RESULT_PREFIX = "BENCH-WRK "
FILLER_PATH = "/healthz"
FILLER_BODY = "ok"
DEFAULT_CONNECTIONS = 16
#: The whole run's deadline (wrk's ``-d``); a run that has not counted its target by then
#: stops there, and its shortfall is reported.
DEFAULT_DEADLINE = 300


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed no result line."""


@dataclass(frozen=True)
class WrkRequest:
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        fields = [self.method, self.path, self.body, *(f"{k}: {v}" for k, v in self.headers.items())]
        for value in fields:
            if "\t" in value or "\n" in value or "\r" in value:
                raise ValueError(f"a request field holds a tab or a line break: {value!r}")
        return "\t".join(fields)


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run counted, and what it cost the client."""

    counted: int
    statuses: dict[int, int]
    window_seconds: float
    p50_ms: float
    p99_ms: float
    sent: int
    fillers: int
    errors: dict[str, int]
    #: Filled in by :func:`run` (the parsed line knows nothing of the process).
    client_cpu_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.counted / self.window_seconds if self.window_seconds > 0 else 0.0

    @property
    def ok(self) -> int:
        """Responses with a 2xx status."""
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def client_cpu_share(self) -> float:
        """wrk's CPU time over its wall time: 1.0 is one core busy the whole run."""
        return self.client_cpu_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(count for name, count in self.errors.items() if name != "status")

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.counted,
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "ok": self.ok,
            "fillers": self.fillers,
            "socket_errors": self.socket_errors,
            "seconds": self.window_seconds,
            "client_cpu": self.client_cpu_share,
        }


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkError("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return found


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for these paths


LUA_TEMPLATE = r"""-- Written by bench/wrk.py for one run: see that module's docstring.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local REQUESTS_FILE = @REQUESTS_FILE@
local DONE_FILE = @DONE_FILE@
local TARGET = @TARGET@
local CYCLE = @CYCLE@
local FILLER_PATH = @FILLER_PATH@
local FILLER_BODY = @FILLER_BODY@
-- An answer run whose last answers never come back (a socket error) gives up after this.
local PATIENCE_US = @PATIENCE_US@
-- A cycled run also stops once it has run this long (0: no limit), whatever it counted.
local LIMIT_US = @LIMIT_US@

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local requests, filler = {}, nil
local verifying = true -- wrk calls request() once before the run to check its syntax
local finished = false
sent, counted, fillers, first_us, last_us = 0, 0, 0, 0, 0
statuses = {}

local function split(line)
  local fields = {}
  for value in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, value)
  end
  return fields
end

function init(args)
  for line in io.lines(REQUESTS_FILE) do
    if line ~= "" then
      local fields = split(line)
      local headers = {}
      for i = 4, #fields do
        local name, value = fields[i]:match("^([^:]+): (.*)$")
        headers[name] = value
      end
      local body = fields[3] ~= "" and fields[3] or nil
      table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
    end
  end
  filler = wrk.format("GET", FILLER_PATH, {})
end

local function finish()
  if finished then return end
  finished = true
  local marker = io.open(DONE_FILE, "w")
  marker:write("done\n")
  marker:close()
  wrk.thread:stop()
end

function request()
  if verifying then
    verifying = false
    return requests[1]
  end
  local now = now_us()
  if first_us == 0 then first_us = now end
  if CYCLE then
    sent = sent + 1
    return requests[(sent - 1) % #requests + 1]
  end
  if sent < #requests then
    sent = sent + 1
    return requests[sent]
  end
  if not finished and now - math.max(last_us, first_us) > PATIENCE_US then finish() end
  fillers = fillers + 1
  return filler
end

function response(status, headers, body)
  if finished or (not CYCLE and body == FILLER_BODY) then return end
  counted = counted + 1
  statuses[status] = (statuses[status] or 0) + 1
  last_us = now_us()
  if counted >= TARGET or (CYCLE and LIMIT_US > 0 and last_us - first_us >= LIMIT_US) then finish() end
end

function done(summary, latency, requests_stats)
  local total = {sent = 0, counted = 0, fillers = 0, first_us = 0, last_us = 0}
  local by_status = {}
  for _, thread in ipairs(threads) do
    for _, key in ipairs({"sent", "counted", "fillers"}) do
      total[key] = total[key] + thread:get(key)
    end
    local first, last = thread:get("first_us"), thread:get("last_us")
    if first > 0 and (total.first_us == 0 or first < total.first_us) then total.first_us = first end
    if last > total.last_us then total.last_us = last end
    for status, count in pairs(thread:get("statuses")) do
      by_status[#by_status + 1] = string.format('"%d": %d', status, count)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    '@PREFIX@{"sent": %d, "counted": %d, "fillers": %d, "window_us": %d, ' ..
    '"statuses": {%s}, "p50_us": %d, "p99_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}}\n',
    total.sent, total.counted, total.fillers, math.floor(math.max(total.last_us - total.first_us, 0)),
    table.concat(by_status, ", "), math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
"""


def lua_script(
    requests_file: Path,
    done_file: Path,
    *,
    target: int,
    cycle: bool,
    filler_path: str = FILLER_PATH,
    filler_body: str = FILLER_BODY,
    patience_seconds: float = 10.0,
    limit_seconds: float = 0.0,
) -> str:
    """The Lua script for one run (see the module's docstring)."""
    values = {
        "@REQUESTS_FILE@": _lua_string(str(requests_file)),
        "@DONE_FILE@": _lua_string(str(done_file)),
        "@TARGET@": str(int(target)),
        "@CYCLE@": "true" if cycle else "false",
        "@FILLER_PATH@": _lua_string(filler_path),
        "@FILLER_BODY@": _lua_string(filler_body),
        "@PATIENCE_US@": str(int(patience_seconds * 1_000_000)),
        "@LIMIT_US@": str(int(limit_seconds * 1_000_000)),
        "@PREFIX@": RESULT_PREFIX,
    }
    script = LUA_TEMPLATE
    for key, value in values.items():
        script = script.replace(key, value)
    return script


def parse(output: str) -> WrkResult:
    """The script's ``BENCH-WRK {json}`` line from wrk's output."""
    lines = [line for line in output.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise WrkError(f"wrk printed no {RESULT_PREFIX.strip()} line:\n{output}")
    data = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    return WrkResult(
        counted=data["counted"],
        statuses={int(status): count for status, count in data["statuses"].items()},
        window_seconds=data["window_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        sent=data["sent"],
        fillers=data["fillers"],
        errors=data["errors"],
    )


def run(
    base_url: str,
    requests: list[WrkRequest],
    workdir: Path,
    *,
    target: int | None = None,
    limit_seconds: float = 0.0,
    connections: int = DEFAULT_CONNECTIONS,
    deadline: int = DEFAULT_DEADLINE,
    filler_path: str = FILLER_PATH,
    filler_body: str = FILLER_BODY,
) -> WrkResult:
    """Send ``requests`` with wrk: once each (``target`` None), or cycled until ``target`` responses
    are counted or, with ``limit_seconds``, that much time has passed.

    Returns the parsed result with wrk's own CPU time (its rusage, all threads) and wall time.
    """
    if not requests:
        raise ValueError("no requests to send")
    workdir.mkdir(parents=True, exist_ok=True)
    requests_file = workdir / "requests.tsv"
    done_file = workdir / "done"
    script_file = workdir / "script.lua"
    done_file.unlink(missing_ok=True)
    requests_file.write_text("".join(r.line() + "\n" for r in requests))
    script_file.write_text(
        lua_script(
            requests_file,
            done_file,
            target=len(requests) if target is None else target,
            cycle=target is not None,
            filler_path=filler_path,
            filler_body=filler_body,
            limit_seconds=limit_seconds if target is not None else 0.0,
        )
    )
    command = [
        wrk_binary(),
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{deadline}s",
        "--timeout",
        "30s",
        "--script",
        str(script_file),
        base_url,
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    interrupted = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        now = time.monotonic()
        # wrk ignores SIGINT until its threads are running: send it again until it stops.
        if done_file.exists() and now - interrupted > 0.05:
            os.kill(process.pid, signal.SIGINT)
            interrupted = now
        time.sleep(0.002)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stdout is not None
    assert process.stderr is not None
    stdout, stderr = process.stdout.read().decode(), process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    if process.returncode != 0:
        raise WrkError(f"wrk exited with {process.returncode}:\n{stdout}\n{stderr}")
    result = parse(stdout)
    return replace(result, client_cpu_seconds=usage.ru_utime + usage.ru_stime, wall_seconds=wall)


def version() -> str:
    """wrk's version line, e.g. ``wrk debian/4.1.0-3+b2 [epoll]``."""
    output = subprocess.run([wrk_binary(), "--version"], capture_output=True, text=True, check=False).stdout
    return output.split(" Copyright")[0].strip()
