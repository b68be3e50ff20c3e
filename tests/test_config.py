"""Settings and project-level behaviour."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Start from the machine's environment, without what pytest-env set for the suite.
    test_env = {"SECRET_KEY", "DEBUG", "TESTING", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"}
    test_env |= {"CSRF_COOKIE_SECURE", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in test_env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_healthz_answers_ok_without_touching_the_database(client, db, django_assert_num_queries):
    """The bare view: full middleware stack, no query."""
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_security_headers_and_csp_nonce_on_pages(client, db):
    """Every page carries a CSP with a fresh nonce, and the nonce is on our script tags."""
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_missing_secret_key_is_a_clear_error_when_debug_is_off():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    """`manage.py check --deploy` passes with the settings a production server uses."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        ALLOWED_HOSTS="dossiers.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/x.sqlite3", "django.db.backends.sqlite3"),
        ("postgres://u:p@db.example:5432/trivia", "django.db.backends.postgresql"),
    ],
)
def test_database_url_chooses_the_backend(url, engine):
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE']); print(d.get('OPTIONS', {}).get('transaction_mode', '-'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    engine_line, mode = result.stdout.split()
    assert engine_line == engine
    assert mode == ("IMMEDIATE" if "sqlite" in engine else "-")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """The embedded database: WAL journal, busy timeout, IMMEDIATE transactions."""
    db = tmp_path / "wal.sqlite3"
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0]);"
        "print(c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["wal", "20000"], result.stderr


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("favicon.svg")


@pytest.mark.parametrize(("flag", "expected"), [(None, "True 5"), ("0", "- -")])
def test_postgresql_uses_prepared_statements_unless_a_pooler_forbids_them(flag, expected):
    """Server-side binding with prepared statements (the answer path's reads and writes
    repeat the same few statements); DATABASE_PREPARED_STATEMENTS=0 turns them off for
    a transaction-pooling PgBouncer."""
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "o = settings.DATABASES['default'].get('OPTIONS', {});"
        "print(o.get('server_side_binding', '-'), o.get('prepare_threshold', '-'))"
    )
    env = {**os.environ, "DATABASE_URL": "postgres://u:p@db.example:5432/trivia"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.pop("DATABASE_PREPARED_STATEMENTS", None)
    if flag is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = flag
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == expected, result.stderr
