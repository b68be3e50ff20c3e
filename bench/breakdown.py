"""Where an answer's server time goes: the answer POST and the bare view, in-process.

The throughput figures say how the answer compares with the bare view; this says why.
Requests go straight to Django's WSGI handler in this process (no HTTP, no client), so
each figure is the server's own time per request. During the answers, the parts of the
path are timed at Django's own seams, so the breakdown does not depend on how the app's
modules are laid out:

- the session and the signed-in user: ``django.contrib.auth.get_user``, which the
  authentication middleware calls on first use of ``request.user`` (it loads the session);
- the app's reads and writes: every ORM query run outside the other parts, from its
  compiling to its rows (``SQLCompiler.execute_sql``; updates, inserts and deletes are
  writes), every SQL statement run straight on a cursor (``connection.execute_wrapper``;
  SELECTs are reads), and the COMMIT. Building a QuerySet's filters and making model
  instances from the rows are not in them: they are in "the rest";
- rendering: Django templates' ``render``.

Each part's time excludes the parts nested in it, except SQL, which counts towards the
part that ran it (the session's SELECT is the session's). What is left is the framework
around them and the view's own Python: middleware, CSRF, URL resolution, the response.
"""

from __future__ import annotations

import io
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

SESSION_AND_USER = "session and signed-in user (auth.get_user)"
READS = "reads: SELECTs, compiled and run"
WRITES = "writes: UPDATEs compiled and run, COMMIT"
RENDERING = "rendering the feedback card (templates)"
PARTS = (SESSION_AND_USER, READS, WRITES, RENDERING)


def environ(
    method: str, path: str, cookies: dict[str, str], body: bytes = b"", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
    }
    if body:
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app: Callable[..., Iterable[bytes]], env: dict[str, Any]) -> str:
    status: list[str] = []
    b"".join(app(env, lambda s, h, exc=None: status.append(s)))
    return status[0]


class _Clock:
    """Seconds per part, each exclusive of the parts nested in it."""

    def __init__(self) -> None:
        self.spent: Counter[str] = Counter()
        self.stack: list[list[float]] = []  # per open part: [seconds spent in nested parts]

    def timed(self, label: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        frame = [0.0]
        self.stack.append(frame)
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            self.stack.pop()
            self.spent[label] += elapsed - frame[0]  # type: ignore[assignment]  # a Counter of seconds
            if self.stack:
                self.stack[-1][0] += elapsed

    def sql(self, label: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.stack:  # inside another part: its SQL is that part's
            return function(*args, **kwargs)
        return self.timed(label, function, *args, **kwargs)


@contextmanager
def timing_parts() -> Iterator[Counter[str]]:
    """Time each of :data:`PARTS` for the duration; yields seconds per label."""
    from django.contrib import auth
    from django.db import connection
    from django.db.models.sql.compiler import (
        SQLCompiler,
        SQLDeleteCompiler,
        SQLInsertCompiler,
        SQLUpdateCompiler,
    )
    from django.template.backends.django import Template

    clock = _Clock()
    get_user, render, execute_sql = auth.get_user, Template.render, SQLCompiler.execute_sql
    connection.ensure_connection()
    commit = connection.commit

    def timed_get_user(request: Any) -> Any:
        return clock.timed(SESSION_AND_USER, get_user, request)

    def timed_render(self: Template, *args: Any, **kwargs: Any) -> Any:
        return clock.timed(RENDERING, render, self, *args, **kwargs)

    def timed_commit() -> None:
        clock.sql(WRITES, commit)

    def timed_execute_sql(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        writes = isinstance(self, SQLUpdateCompiler | SQLDeleteCompiler | SQLInsertCompiler)
        return clock.sql(WRITES if writes else READS, execute_sql, self, *args, **kwargs)

    def timed_sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        label = READS if sql.lstrip()[:6].upper() == "SELECT" else WRITES
        return clock.sql(label, execute, sql, params, many, context)

    auth.get_user = timed_get_user
    Template.render = timed_render  # type: ignore[method-assign,assignment]  # restored below
    SQLCompiler.execute_sql = timed_execute_sql  # type: ignore[method-assign]  # restored below
    connection.commit = timed_commit  # type: ignore[method-assign]  # an instance attribute, deleted below
    try:
        with connection.execute_wrapper(timed_sql):
            yield clock.spent
    finally:
        auth.get_user = get_user
        Template.render = render  # type: ignore[method-assign]
        SQLCompiler.execute_sql = execute_sql  # type: ignore[method-assign]
        del connection.commit


def measure(sessions: list[dict[str, Any]], answer_fields: Callable[..., dict[str, str]]) -> dict:
    """Time every answer of ``sessions`` (as :func:`bench.run.prepare_answers` makes them),
    after as many bare GETs; the first round of each warms up and is not counted."""
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    rng = random.Random(11)
    posts = []
    for session in sessions:
        headers = {"HX-Request": "true", "X-CSRFToken": session["cookies"]["csrftoken"]}
        for item in session["items"]:
            body = urlencode(answer_fields(item, rng)).encode()
            posts.append((session["cookies"], item["url"], body, headers))
    posts.sort(key=lambda post: post[1].rstrip("/").rsplit("/", 1)[-1].zfill(3))  # in order, per attempt
    warm = len(sessions)
    bare = [environ("GET", "/healthz", sessions[0]["cookies"]) for _ in posts]
    for env in bare[:warm]:
        call(app, env)
    started = time.perf_counter()
    for env in bare[warm:]:
        call(app, env)
    bare_us = (time.perf_counter() - started) / (len(bare) - warm) * 1e6
    envs = [
        environ("POST", url, cookies, body, {**headers, "HX-Current-URL": url})
        for cookies, url, body, headers in posts
    ]
    for env in envs[:warm]:
        assert call(app, env).startswith("200")
    with timing_parts() as spent:
        started = time.perf_counter()
        statuses = Counter(call(app, env).split()[0] for env in envs[warm:])
        answer_us = (time.perf_counter() - started) / (len(envs) - warm) * 1e6
    count = len(envs) - warm
    parts = {label: spent[label] / count * 1e6 for label in PARTS}
    return {"bare_us": bare_us, "answer_us": answer_us, "parts": parts, "count": count, "statuses": statuses}
