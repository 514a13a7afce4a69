# discsite: `make run` serves the seeded site, `make test` runs the whole suite.
# Both create the virtual environment and install what they need first.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/discsite

.DEFAULT_GOAL := help
.PHONY: help install install-dev setup run serve bench soak fault two-nodes backup restore test quicktest lint format test-postgres test-browser check clean screenshots cdn

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install the runtime requirements

install-dev: $(VENV)/.installed-dev ## Also install the test and lint tools

setup: install ## Migrate, seed the content and create the demo users (SQLite unless DATABASE_URL is set)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed
	$(MANAGE) create_demo_users

run: setup ## Set everything up and serve the site at http://127.0.0.1:8000/ (admin at /admin/)
	$(MANAGE) runserver 127.0.0.1:8000

# `make serve`: the production settings on this machine, same database as `make run`. The key is
# made up afresh on every start (sessions end when the server stops); it is never a real secret.
SERVE_ENV = DJANGO_SETTINGS_MODULE=discsite.settings.production ALLOWED_HOSTS=127.0.0.1,localhost \
	SECRET_KEY=$$($(PY) -c 'import secrets; print("serve-local-only-" + secrets.token_urlsafe(40))')

serve: setup ## Serve the seeded site with the production settings under gunicorn at http://127.0.0.1:8000/ (DEBUG off)
	$(SERVE_ENV) $(MANAGE) collectstatic --noinput -v0
	$(SERVE_ENV) $(VENV)/bin/gunicorn -c gunicorn.conf.py

bench: install ## Benchmark every public page type against a minimal Django project (wrk; 10,000 pages; ~10 min)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)

soak: install ## 60 s x 32 connections on the production server over PostgreSQL (discsite_soak): 0 errors (~2 min)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) scripts/soak.py $(SOAK_ARGS)

fault: install ## The soak with PostgreSQL restarted midway: styled 503s, back within 5 s, no half-saved edit
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) scripts/fault.py $(FAULT_ARGS)

two-nodes: install ## Two app nodes, one Redis (its own, :6391), one PostgreSQL under load: publish, Redis and node lost (~2.5 min)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	@command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }
	$(PY) scripts/two_nodes.py $(NODES_ARGS)

cdn: install ## Varnish in front of the production server: a publish purges the page and its listings, nothing else (~1 min)
	@command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish; }
	$(PY) scripts/cdn_purge.py $(CDN_ARGS)

backup: install ## Back up the database and media into backups/<UTC time>/ (the database of DATABASE_URL)
	$(MANAGE) backup

restore: install ## Restore BACKUP=backups/<time> (checked first); asks before replacing anything, or CONFIRM=yes
	$(MANAGE) restore $(BACKUP) $(if $(filter yes,$(CONFIRM)),--force)

lint: install-dev ## ruff (lint and formatting), and the import layers (.importlinter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install-dev ## ruff: fix what can be fixed and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint ## Lint, then run the whole suite on SQLite (browser tests skip if Chromium is missing)
	$(PY) -m pytest

quicktest: install-dev ## The suite without linting, reusing the test database
	$(PY) -m pytest --reuse-db

test-postgres: install-dev ## The whole suite against PostgreSQL ($$PG_URL)
	DATABASE_URL=$(PG_URL) $(PY) -m pytest

test-browser: install-dev ## Only the end-to-end tests in Chromium (fails if Chromium is missing)
	DISCSITE_REQUIRE_BROWSER=1 $(PY) -m pytest -m browser

check: install-dev ## Django's system checks and a check for missing migrations
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean: ## Remove the virtual environment, the SQLite database and collected files
	rm -rf $(VENV) db.sqlite3 static media test-artifacts

screenshots: install-dev ## The README's pictures (docs/screenshots/), from a freshly seeded site in headless Chromium
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	$(PY) scripts/screenshots.py
