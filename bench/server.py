"""Start and stop the real server (gunicorn) against a throwaway database.

The server runs with production settings (DEBUG off, a SECRET_KEY, django-axes on), relaxed
only where plain HTTP on loopback needs it: no SSL redirect and no Secure cookies. It runs
in its own process group, so :meth:`Server.kill` can ``kill -9`` the master and every worker
at once, as a power cut would.

Throwaway databases: a SQLite file in a temporary directory, or ``bench_<pid>``-style
databases created on (and dropped from) the PostgreSQL server that ``DATABASE_URL`` names.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BENCH_SECRET_KEY = "bench-secret-key-only-for-loopback-measurements-0123456789abcdefghij"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def is_postgres(database_url: str | None) -> bool:
    if not database_url:
        return False
    return urlsplit(database_url).scheme.startswith(("postgres", "pgsql"))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def server_env(database_url: str, *, static: str = "manifest", **extra: str) -> dict[str, str]:
    """The environment for manage.py and gunicorn: production settings on plain-HTTP loopback.

    ``static="manifest"`` keeps whitenoise's manifest storage (run :func:`collectstatic`
    first); ``static="plain"`` sets TESTING=1, whose only effect is the plain static storage,
    for tests that must not write ``staticfiles/`` into the tree.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "TESTING", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=BENCH_SECRET_KEY,
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        AXES_ENABLED="1",
        MAIL_TO_CONSOLE="1",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    if static == "plain":
        env["TESTING"] = "1"
    env.update(extra)
    return env


def manage(args: Sequence[str], env: dict[str, str], *, timeout: float = 300) -> str:
    """Run ``manage.py`` in a child process (its own settings) and return its stdout."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def collectstatic(env: dict[str, str]) -> None:
    manage(["collectstatic", "--noinput", "--verbosity", "0"], env)


class Server:
    """gunicorn serving config.wsgi on a free loopback port, logging to ``log_path``."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        workers: int | None = None,
        port: int | None = None,
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.workers = workers or os.cpu_count() or 1
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, *, ready_timeout: float = 30) -> Server:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                # Several servers may run at once (bench, tests): no shared control socket.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: kill() reaches every worker
        )
        log.close()
        self._wait_ready(ready_timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout}s:\n{self.log()}")

    def _signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """``kill -9`` the whole process group: master and workers die mid-request."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        """A graceful stop (SIGTERM); ``kill -9`` if it takes more than ten seconds."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Throwaway PostgreSQL databases ------------------------------------------------


def _with_database(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.contextmanager
def throwaway_postgres(server_url: str, name: str) -> Iterator[str]:
    """Create database ``name`` on the server of ``server_url``; yield its URL; drop it after."""
    import psycopg

    admin_url = _with_database(server_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fetch(database_url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one read query straight on the database (no Django): for checks after a crash.

    Write ``%s`` placeholders; they become ``?`` for SQLite.
    """
    if is_postgres(database_url):
        import psycopg

        with psycopg.connect(database_url) as conn:
            return list(conn.execute(sql, params).fetchall())
    path = database_url.removeprefix("sqlite:///")
    db = sqlite3.connect(path)
    try:
        return list(db.execute(sql.replace("%s", "?"), params).fetchall())
    finally:
        db.close()
