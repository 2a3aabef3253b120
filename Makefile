# Healthscore: `make run` starts the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= true
# `make run PORT=8001` when 8000 is taken.
PORT ?= 8000

.PHONY: run test install migrate seed reset-demo lint check bench loadtest clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Back to a fresh demo: the embedded SQLite database is deleted, migrated and seeded again.
reset-demo: install
	@test -z "$$DATABASE_URL" || { echo "reset-demo resets the embedded demo only: unset DATABASE_URL."; exit 1; }
	rm -f db.sqlite3
	$(MAKE) seed

test: install
	DEBUG=false $(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Benchmarks (bench/README.md): SQLite, plus PostgreSQL when BENCH_DATABASE_URL is set. The
# recompute data is built once per database and size and reused; BENCH_ARGS=--rebuild forces it.
bench: install
	$(PY) bench/recompute.py $(BENCH_ARGS)
	$(PY) bench/pages.py

# Load test (README, "Load test"): gunicorn + PostgreSQL + a worker on loopback, locust headless,
# 50 users for 5 minutes by default; LOADTEST_ARGS="--users 10 --minutes 1" for a short one.
loadtest: install
	$(PY) loadtest/run.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
