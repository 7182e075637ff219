# The README's commands. Each one installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The console's browser assets: npm packages (assets/package-lock.json), built into static/.
ASSETS := backend/console/assets
NODE_STAMP   := $(ASSETS)/node_modules/.installed
STATIC_STAMP := backend/console/static/.built

.PHONY: run test lint format contract bench setup system-deps clean

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
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/intake_throughput.py
	$(BIN)/python bench/notify_fanout.py
	$(BIN)/python bench/sync_push.py
	$(BIN)/python bench/mirror_lag.py
	$(BIN)/python bench/dunning_evaluation.py

setup: system-deps $(STAMP) $(STATIC_STAMP)

system-deps:
	@.ci/system-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NODE_STAMP): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	cd $(ASSETS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# Tailwind keeps only the classes the templates use, so a template change rebuilds the CSS.
$(STATIC_STAMP): $(NODE_STAMP) $(ASSETS)/build.mjs $(wildcard $(ASSETS)/src/*) \
		$(shell find backend/console/templates -name '*.html') $(shell find backend/console -name "*.py" -not -path "*/node_modules/*")
	cd $(ASSETS) && npm run --silent build
	@touch $(STATIC_STAMP)

clean:
	rm -rf $(VENV) .debtx .pytest_cache .ruff_cache .mypy_cache .artifacts \
		$(ASSETS)/node_modules backend/console/static
