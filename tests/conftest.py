"""Fixtures and helpers every test package shares (pytest finds this file first)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Concurrency: several threads, each on its own database connection ------------------


@contextmanager
def threads_database(tmp_path: Path) -> Iterator[dict[str, Any] | None]:
    """Settings for the worker threads' connections (None: use the test database as is).

    PostgreSQL: every thread's own connection sees the (committed) test database.
    SQLite: the test database is in memory with a shared cache, where locks are per table
    and a second writer fails at once with "database table is locked" (the busy timeout
    does not apply), so the test would measure the harness, not the code. The threads
    use a file copy instead, opened with the production settings (WAL, BEGIN IMMEDIATE,
    busy timeout); the test reads the outcome from that file.
    """
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "threads.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    yield {**connection.settings_dict, "NAME": str(path)}


def in_thread(db: dict[str, Any] | None, work: Callable[[], Any]) -> Callable[[], Any]:
    """``work`` wrapped to run on its own connection (to ``db`` when given), closed afterwards."""

    def run() -> Any:
        if db is not None:
            connections["default"] = type(connections["default"])(db, "default")
        try:
            return work()
        finally:
            connections["default"].close()

    return run


def run_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            results[index] = jobs[index]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results
