# Midnight Express. `make demo` and `make test` work on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= var/demo.db

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need Python 3.11 (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p $(dir $(DEMO_DB))
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/midnight --db $(DEMO_DB) init
	$(BIN)/midnight --db $(DEMO_DB) demo
	$(BIN)/midnight --db $(DEMO_DB) expiring --days 3
	@echo
	@echo "Demo shop loaded into $(DEMO_DB). Try:"
	@echo "  $(BIN)/midnight --db $(DEMO_DB) stock"
	@echo "  $(BIN)/midnight --db $(DEMO_DB) sell MILK-1L 2"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Every test, on SQLite and on a real PostgreSQL started here (installed with apt-get if missing).
# pytest's exit code 5 (no tests collected) fails this target like any other failure.
test: $(STAMP) lint typecheck
	MIDNIGHT_TEST_POSTGRES_URL="$$(scripts/test-postgres)" $(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/ledger.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
