# The README's commands. Each one installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format contract bench setup clean

run: setup            ## Run the whole stack locally with demo data
	$(BIN)/debtx dev

test: setup           ## Run the whole test suite
	$(BIN)/pytest

lint: setup           ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend sync
	$(BIN)/mypy --strict sync

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

contract: setup       ## Regenerate mobile_contract/ from the code
	$(BIN)/debtx contract

bench: setup          ## Benchmarks (see bench/README.md)
	$(BIN)/python bench/read_latency.py
	$(BIN)/python bench/case_list.py
	$(BIN)/python bench/intake_throughput.py
	$(BIN)/python bench/notify_fanout.py
	$(BIN)/python bench/sync_push.py
	$(BIN)/python bench/mirror_lag.py

setup: $(STAMP)
	@.ci/system-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .debtx .pytest_cache .ruff_cache .mypy_cache
