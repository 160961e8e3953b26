# The two commands of the README: `make run` (demo on SQLite) and `make test` (PostgreSQL, Redis).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Tests and benchmarks talk to real services; each variable can be overridden.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coalition
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=tests \
	DEBUG=false SECURE_SSL_REDIRECT=false REQUIRE_STAFF_TWO_FACTOR=false \
	ALLOWED_HOSTS=localhost,127.0.0.1,testserver
RUN_ENV := DEBUG=true

.PHONY: install run test lint format messages makemessages bench clean

# Django 6.1 needs Python 3.12 or newer: take the first interpreter that is recent enough.
$(VENV)/bin/python:
	@for candidate in python3.13 python3.12 python3 "$$HOME/.pyenv/shims/python3.12"; do \
		if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
			echo "Creating $(VENV) with $$candidate"; "$$candidate" -m venv $(VENV) && exit 0; \
		fi; \
	done; \
	echo "Python 3.12 or newer is required (python3.12 or python3.13 on the PATH)." >&2; exit 1

# Installs exactly the locked versions, then checks that they agree with each other.
$(VENV)/.installed: $(VENV)/bin/python requirements-dev.lock
	$(PY) -m pip install --quiet --requirement requirements-dev.lock
	$(PY) -m pip check
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed node_modules/.installed

messages: install
	$(PY) -m babel.messages.frontend --quiet compile --domain django --directory locale

run: install messages
	mkdir -p var/mail
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 (emails are written to var/mail/)"
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(TEST_ENV) $(PY) manage.py collectstatic --no-input -v0
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run -v0
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refreshes the catalogues of English, French and Spanish after strings change.
makemessages: install
	$(PY) manage.py makemessages -l fr -l es --ignore=.venv --ignore=node_modules --ignore=var

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coalition_bench
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=bench \
	DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=localhost,127.0.0.1,testserver

# Benchmarks on PostgreSQL at 100k commitments (bench/run.py loads them afresh with seed_scale):
# API pages to bench/report.md, the dashboard and the digest to their own reports.
bench: install messages
	$(BENCH_ENV) $(PY) bench/run.py
	$(BENCH_ENV) $(PY) bench/dashboard.py
	$(BENCH_ENV) $(PY) bench/digest.py

clean:
	rm -rf $(VENV) node_modules var/static
