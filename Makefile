# Two commands matter: `make run` and `make test` (see README.md).
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app app
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: run test install translations check-migrations messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d coordination/translations --statistics 2>&1 | tail -n 3

run: install
	CONCERTATION_ENV=development $(FLASK) db upgrade
	CONCERTATION_ENV=development $(FLASK) demo load --if-empty --url http://$(HOST):$(PORT)
	@echo "Concertation is serving on http://$(HOST):$(PORT)/accounts/login (Ctrl+C to stop)."
	CONCERTATION_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check --quiet .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# No drift between models and migrations: apply them to DATABASE_URL (default: a new SQLite
# file) and ask Alembic whether autogenerate would find anything. CI runs it on both databases.
check-migrations: install
	@db="$${DATABASE_URL:-sqlite:///$$(mktemp -d)/check.db}"; \
	DATABASE_URL="$$db" SECRET_KEY=check-migrations $(FLASK) db upgrade 2>&1 | tail -n 1 && \
	DATABASE_URL="$$db" SECRET_KEY=check-migrations $(FLASK) db check

# Re-extract the message catalogue after adding strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o coordination/translations/messages.pot .
	$(BIN)/pybabel update -i coordination/translations/messages.pot -d coordination/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
