"""`make run` installs what running needs and nothing else; the test tools come with `make test`."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _recipe(target: str) -> str:
    """What make would run for ``target`` in a fresh clone (a dry run, nothing executed)."""
    return subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), target, "PY=/usr/bin/false"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def test_make_run_installs_only_the_runtime_requirements():
    recipe = _recipe("run")
    assert "-r requirements.txt" in recipe
    assert "requirements-dev.txt" not in recipe


def test_make_test_installs_the_test_tools():
    assert "-r requirements-dev.txt" in _recipe("test")


def test_the_runtime_requirements_hold_no_test_tool():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "playwright", "ruff", "mypy", "hypothesis", "factory"):
        assert tool not in runtime
