# Two commands matter: `make run` serves the app, `make test` passes the tests.
# Both start from a fresh clone: they create .venv with Python 3.13 and install the
# pinned requirements first.

SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PYTHON_VERSION := $(shell cat .python-version)
# pyenv's interpreter when it is there (its shim needs .python-version), else python3.13.
PY := $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python3) $(shell command -v python3.13 2>/dev/null))
DEV_ENV := DEBUG=1
DOSSIERS := $(wildcard fixtures/*.yaml)

.PHONY: run test test-pg lint format install install-dev browser redis wrk bench bench-live loadtest loadtest-live clean

# `make run` installs what running needs (requirements.txt); the test tools come with
# `make test` (requirements-dev.txt).
$(BIN)/.installed: requirements.txt
	@if [ -z "$(PY)" ]; then echo "Python $(PYTHON_VERSION) not found: install it (pyenv install $(PYTHON_VERSION))." >&2; exit 1; fi
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	@for f in $(DOSSIERS); do $(DEV_ENV) $(BIN)/python manage.py import_dossier $$f || exit 1; done
	$(DEV_ENV) $(BIN)/python manage.py create_demo_accounts
	$(DEV_ENV) $(BIN)/uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT) --reload --reload-dir config --reload-dir content --reload-dir quiz --reload-dir templates --reload-dir static --reload-include '*.html'

# Debian's Chromium drives the browser tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The live game's scale-out test runs two app servers on one Redis (127.0.0.1:6379).
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; \
	  for _ in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

test: install-dev browser redis wrk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/mypy
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	@db=$$(mktemp -d)/audit.sqlite3 && export $(DEV_ENV) DATABASE_URL=sqlite:///$$db && $(BIN)/python manage.py migrate -v0 --noinput && for f in $(DOSSIERS); do $(BIN)/python manage.py import_dossier $$f >/dev/null || exit 1; done && $(BIN)/python manage.py audit_questions --strict
	$(BIN)/pytest

# The same suite against PostgreSQL (DATABASE_URL must point at a server).
test-pg: install-dev browser redis wrk
	$(BIN)/pytest

# mypy imports the settings (django-stubs), which want DEBUG or a SECRET_KEY.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Throughput is driven by wrk, Debian's C load generator (see bench/wrk.py); the bench's
# own tests run it too.
wrk:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the benchmark..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: install-dev wrk
	$(BIN)/python -m bench.run

loadtest: install-dev
	$(BIN)/python -m bench.loadtest
	$(BIN)/python -m bench.loadtest_live

# The live game: N players in one game answering within the same second (README, "Live game").
bench-live: install-dev
	$(BIN)/python -m bench.live

loadtest-live: install-dev
	$(BIN)/python -m bench.loadtest_live

clean:
	rm -rf $(VENV) staticfiles artifacts .mypy_cache .ruff_cache db.sqlite3 db.sqlite3-wal db.sqlite3-shm
