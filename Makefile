# Two commands matter: `make run` and `make test` (see README.md).
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app app
STAMP   := $(VENV)/.installed
# Mozilla's ical.js, the third iCalendar parser of the tests (tests/js/package-lock.json).
JS_STAMP := tests/js/node_modules/.installed
# Every runtime and test dependency pinned with its hashes (regenerate with `make lock`).
LOCK    := requirements.lock
# The benchmark's and load test's tools (the bench extra), pinned with hashes on top of LOCK.
BENCH_LOCK := requirements-bench.lock
# The suite fails below this share of covered lines (the floor itself is in pyproject.toml).
COVERAGE ?= --cov=coordination --cov-report=term:skip-covered
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: run test install lock translations check-migrations messages clean bench bench-large load need-wrk

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-pin after changing dependencies in pyproject.toml: keeps existing pins, adds the new
# ones (from pip's cache or PyPI). `make lock LOCK_ARGS=--upgrade` moves every pin forward.
# The bench lock is compiled with LOCK as constraints: a package in both has the same pin.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra test --extra redis \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(LOCK) pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra bench --constraint $(LOCK) \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(BENCH_LOCK) pyproject.toml

install: $(STAMP) translations $(JS_STAMP)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d coordination/translations --statistics

run: install
	CONCERTATION_ENV=development $(FLASK) db upgrade
	CONCERTATION_ENV=development $(FLASK) demo load --if-empty --url http://$(HOST):$(PORT)
	@echo "Concertation is serving on http://$(HOST):$(PORT)/accounts/login (Ctrl+C to stop)."
	CONCERTATION_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs on TEST_DATABASE_URL (default: a new SQLite file), never on DATABASE_URL,
# and refuses a database whose name does not contain "test" (it drops the schema).
test: install
	$(BIN)/ruff check --quiet .
	$(BIN)/python -m pytest -q -rs $(COVERAGE) $(PYTEST_ARGS)

# No drift between models and migrations: apply them to TEST_DATABASE_URL (default: a new
# SQLite file) and ask Alembic whether autogenerate would find anything. CI runs it on both.
check-migrations: install
	@db="$${TEST_DATABASE_URL:-sqlite:///$$(mktemp -d)/check-test.db}"; \
	case "$${db##*/}" in *test*) ;; *) echo "refusing $$db: its name must contain 'test'"; exit 1;; esac; \
	DATABASE_URL="$$db" SECRET_KEY=check-migrations $(FLASK) db upgrade 2>&1 | tail -n 1 && \
	DATABASE_URL="$$db" SECRET_KEY=check-migrations $(FLASK) db check

# Benchmark and load test (not part of `make test`; see README, "Speed"). BENCH_ARGS and
# LOAD_ARGS pass options, e.g. `make bench BENCH_ARGS="--rounds 5"`. wrk is Debian's package:
# bench/need-wrk.sh installs it when run as root with apt-get, else says how to get it.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) $(BENCH_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(BENCH_LOCK)
	touch $(BENCH_STAMP)

# First, so that a missing wrk stops the run before anything is installed.
need-wrk:
	sh bench/need-wrk.sh

bench: need-wrk $(BENCH_STAMP) translations
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-large: need-wrk $(BENCH_STAMP) translations
	$(BIN)/python -m bench.run --meetings 5000 --items 5000 $(BENCH_ARGS)

load: $(BENCH_STAMP) translations
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Re-extract the message catalogue after adding strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* __pycache__" -o coordination/translations/messages.pot .
	$(BIN)/pybabel update -i coordination/translations/messages.pot -d coordination/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
