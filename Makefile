# eCabinet: `make run` starts the product with the sample meeting; `make test` runs lint and every test.
# Each target creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("eCabinet needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ecabinet serve --demo

lint: $(STAMP)
	$(BIN)/ruff check ecabinet realtime tests bench
	$(BIN)/ruff format --check ecabinet realtime tests bench
	$(BIN)/mypy ecabinet realtime

format: $(STAMP)
	$(BIN)/ruff check --fix ecabinet realtime tests bench
	$(BIN)/ruff format ecabinet realtime tests bench

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
