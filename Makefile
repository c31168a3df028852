# specgen. Every target bootstraps .venv from the pinned requirements.lock on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
SPECGEN := $(PY) -m generator
BASE ?=

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@npm ci --no-audit --no-fund --silent
	@touch $@

.PHONY: help venv generate test lint-specs check contract bench review corpus golden clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv from the pinned dependencies

generate: $(STAMP) ## regenerate every client package in generated/ from specs/
	@$(SPECGEN) generate --strict specs/ --out generated/

lint-specs: $(STAMP) ## validate and lint the curated specs in specs/
	@$(SPECGEN) lint specs/

test: $(STAMP) $(NODE_STAMP) ## run every test: spec lint, generator, runtime, generated packages, contract
	@$(SPECGEN) lint specs/
	@$(PY) -m pytest -q -p no:cacheprovider tests generated

contract: $(STAMP) $(NODE_STAMP) ## contract tests of each generated client against Prism
	@$(PY) -m pytest -q -p no:cacheprovider -m contract tests

check: $(STAMP) ## fail when generated/ is not what make generate would write
	@$(SPECGEN) check --strict specs/ --out generated/

bench: $(STAMP) ## benchmarks against peers; writes bench/results.json
	@$(PY) -m bench

review: $(STAMP) ## report spec changes against BASE (default: merge-base with the CI target, main or origin/main); FORMAT=json|github
	@$(SPECGEN) review $(if $(BASE),--base $(BASE),) $(if $(FORMAT),--format $(FORMAT),)

corpus: $(STAMP) ## generate a client for every spec in ../shared/corpus; table, and JSON in bench/corpus.json
	@$(SPECGEN) corpus --json bench/corpus.json

golden: $(STAMP) ## rewrite the golden files of the generator's tests after an intended change
	@SPECGEN_UPDATE_GOLDEN=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_golden.py tests/test_names.py

clean: ## remove the virtual environment, node_modules and caches
	rm -rf $(VENV) node_modules .cache .mypy_cache .ruff_cache .pytest_cache
