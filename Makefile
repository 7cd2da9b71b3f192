# The two commands of the README:  make demo  and  make test.
# Both set everything up on a fresh Debian/Ubuntu machine (Python venv, package, Chromium, npm
# test fixtures) and are safe to run again.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NPM_DIRS := $(patsubst %/package-lock.json,%,$(wildcard tests/*/package-lock.json tests/fixtures/*/package-lock.json))

.PHONY: setup demo test lint typecheck check bench npm-fixtures clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	PYTHON=$(BIN)/python bash scripts/ensure-browser.sh
	touch $@

setup: $(VENV)/.installed

npm-fixtures:
	@for d in $(NPM_DIRS); do \
	  if command -v npm >/dev/null 2>&1; then echo "npm ci in $$d"; (cd $$d && npm ci --silent --no-audit --no-fund) || exit 1; \
	  else echo "npm not found: tests that need $$d are skipped"; fi; \
	done

demo: setup
	$(BIN)/consent-audit demo --out demo-out

test: setup npm-fixtures
	$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

lint: setup
	$(BIN)/ruff check auditor tests benchmarks
	$(BIN)/ruff format --check auditor tests benchmarks

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

bench: setup
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) demo-out audit-out .pytest_cache .mypy_cache .ruff_cache
