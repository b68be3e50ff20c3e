"""Where an answer's server time goes: the answer POST and the bare view, in-process.

The throughput figures say how the answer compares with the bare view; this says why.
Requests go straight to Django's WSGI handler in this process (no HTTP, no client), so
each figure is the server's own time per request. During the answers, the parts of the
path are timed where the view calls them: the player (which loads the session and the
signed-in user), reading the item, storing the answer, and rendering the card. What is
left is the framework around them: middleware, CSRF, URL resolution, the response.
"""

from __future__ import annotations

import functools
import io
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

#: (label, module path, attribute): the parts of the answer path that are timed.
PARTS = (
    ("session and signed-in user", "quiz.models", "Player"),
    ("reading the item (one SELECT)", "quiz.play.attempts", "owned_item"),
    ("storing the answer (transaction)", "quiz.play.answers", "record_answer"),
    ("rendering the feedback card", "quiz.play.views", "render"),
)


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


@contextmanager
def timing_parts() -> Iterator[Counter[str]]:
    """Wrap each of :data:`PARTS` with a timer for the duration; yields seconds per label."""
    import importlib

    spent: Counter[str] = Counter()
    restore: list[tuple[object, str, object]] = []
    for label, module_path, name in PARTS:
        module = importlib.import_module(module_path)
        original = getattr(module, name)
        owner: object  # a class or a module: the wrappers below replace its attributes
        if isinstance(original, type):  # Player: time its ``of`` (the session and user load there)
            owner, attr, function = original, "of", original.__dict__["of"].__func__
        else:
            owner, attr, function = module, name, original

        def timed(
            *args: Any, _function: Callable[..., Any] = function, _label: str = label, **kwargs: Any
        ) -> Any:
            started = time.perf_counter()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - started  # type: ignore[assignment]  # a Counter of seconds: floats

        wrapped = functools.wraps(function)(timed)
        previous = owner.__dict__[attr]
        setattr(owner, attr, classmethod(wrapped) if owner is not module else wrapped)
        restore.append((owner, attr, previous))
    try:
        yield spent
    finally:
        for owner, attr, previous in reversed(restore):
            setattr(owner, attr, previous)


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
    parts = {label: spent[label] / count * 1e6 for label, _, _ in PARTS}
    return {"bare_us": bare_us, "answer_us": answer_us, "parts": parts, "count": count, "statuses": statuses}
