# Midnight Express. `make demo` and `make test` work on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= var/demo.db
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need Python 3.11 (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Loads the demo shop into a fresh SQLite file and starts the server (Ctrl-C stops it).
demo: $(STAMP)
	mkdir -p $(dir $(DEMO_DB))
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	printf '%s\n' 'midnight-owner' > $(dir $(DEMO_DB))owner.pw
	printf '%s\n' 'midnight-staff' > $(dir $(DEMO_DB))staff.pw
	$(BIN)/midnight --db $(DEMO_DB) init --owner owner --password-file $(dir $(DEMO_DB))owner.pw
	$(BIN)/midnight --db $(DEMO_DB) --user owner user add staff --role staff --password-file $(dir $(DEMO_DB))staff.pw
	$(BIN)/midnight --db $(DEMO_DB) --user owner demo
	@echo
	@echo "Open http://$(DEMO_HOST):$(DEMO_PORT)/ in a browser and log in: owner / midnight-owner (or staff / midnight-staff)"
	@echo "  demo shop in $(DEMO_DB); API docs http://$(DEMO_HOST):$(DEMO_PORT)/docs; CLI $(BIN)/midnight --db $(DEMO_DB) --user owner expiring"
	$(BIN)/midnight --db $(DEMO_DB) serve --host $(DEMO_HOST) --port $(DEMO_PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Every test, on SQLite and on a real PostgreSQL started here, and in Debian's Chromium
# (both installed with apt-get if missing), with axe-core from npm for the accessibility checks.
# pytest's exit code 5 (no tests collected) fails this target like any other failure. Two workers
# (CI has two cores); --dist loadfile keeps a file's tests on one, so its module servers start once.
test: $(STAMP) lint typecheck
	MIDNIGHT_TEST_POSTGRES_URL="$$(scripts/test-postgres)" MIDNIGHT_TEST_CHROMIUM="$$(scripts/ensure-chromium)" \
		MIDNIGHT_TEST_AXE="$$(scripts/ensure-axe)" \
		$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/ledger.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
