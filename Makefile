# Tandem: `make demo` shows it, `make test` proves it. Every target that needs the environment
# installs it first (bootstrapping uv with pip when it is missing).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.tandem-installed
# sample-data scale: SCALE=..., else TANDEM_SCALE (the setting `tandem generate` reads), else small
SCALE ?= $(or $(TANDEM_SCALE),small)
# TANDEM_HOME, TANDEM_BUILD_DB, DAGSTER_HOME, ... as orchestration/settings.py derives them
TOOL_ENV = $(BIN)/python -m orchestration.settings
# sqlfluff's dbt templater parses with its own profile arguments: in its own target folder it keeps
# its partial parse between runs and never overwrites the one every dbt step of a home starts from
SQLFLUFF = env $$($(TOOL_ENV)) DBT_TARGET_PATH=$(CURDIR)/dbt_project/target/sqlfluff $(BIN)/sqlfluff
PYTEST_ARGS ?=
# SQL models changed against main (committed on this branch, staged, unstaged or new): all that
# `make test-fast` lints with sqlfluff, which needs about 3 CPU s per model (5 CPU min for all)
CHANGED_SQL = $(shell { git diff --name-only --diff-filter=d \
	$$(git merge-base HEAD main 2>/dev/null || echo HEAD) -- dbt_project/models; \
	git ls-files --others --exclude-standard dbt_project/models; } 2>/dev/null \
	| grep '[.]sql$$' | sort -u)
# pytest-xdist workers for `make test`; a module's tests stay on one worker (--dist loadscope)
TEST_WORKERS ?= 2

export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help install manifest demo run serve docs test test-fast hooks lint lint-fast format dev bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || { echo "installing uv with pip"; $(PYTHON) -m pip install --quiet uv; }
	# bytecode now: with PYTHONDONTWRITEBYTECODE set (as on the CI machine) every process would
	# otherwise compile dagster, dbt, pandas and streamlit again (about 8 CPU s per start)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

install: $(STAMP)  ## create .venv from uv.lock (no downloads but packages)

manifest: $(STAMP)  ## dbt parse when a project file is newer than the manifest dagster-dbt reads
	$(BIN)/python -m orchestration.dbt_manifest

demo: manifest  ## generate sample extracts, run the whole pipeline, serve http://127.0.0.1:8501
	$(BIN)/tandem generate --scale $(SCALE)
	$(BIN)/tandem run
	$(BIN)/tandem serve

run: manifest  ## land + build + publish whatever is in the landing folder
	$(BIN)/tandem run

serve: $(STAMP)  ## serve the dashboards on the published warehouse
	$(BIN)/tandem serve

docs: manifest  ## dbt docs of the built warehouse on http://127.0.0.1:8080
	$(BIN)/tandem docs --serve

lint: manifest  ## ruff, sqlfluff, and the dbt structure rules over the manifest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(SQLFLUFF) lint --processes 2 dbt_project/models
	$(BIN)/python -m orchestration.dbt_rules

lint-fast: manifest  ## ruff, the dbt structure rules, sqlfluff on the SQL models changed against main
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(if $(CHANGED_SQL),$(SQLFLUFF) lint --processes 2 $(CHANGED_SQL),@echo "sqlfluff: no SQL model changed against main")
	$(BIN)/python -m orchestration.dbt_rules

format: $(STAMP)  ## apply ruff format and sqlfluff fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(SQLFLUFF) fix --processes 2 dbt_project/models

test: lint manifest  ## the whole test suite (lint included)
	bash orchestration/services/install_chromium.sh
	bash orchestration/services/postgres.sh install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope --durations=40 $(PYTEST_ARGS)

test-fast: lint-fast manifest  ## lint-fast + the tests that need no pipeline run, browser or server
	$(BIN)/pytest -m "not slow" -n $(TEST_WORKERS) $(PYTEST_ARGS)

hooks: $(STAMP)  ## install the git pre-commit hooks (ruff, sqlfluff) from .pre-commit-config.yaml
	$(BIN)/pre-commit install

dev: manifest  ## Dagster UI on http://127.0.0.1:3000 (TANDEM_DAGSTER_PORT)
	env $$($(TOOL_ENV)) $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 \
		-p $$($(TOOL_ENV) --get dagster_port)

bench: manifest  ## benchmark the pipeline stages (see docs/BENCHMARKS.md)
	$(BIN)/tandem bench --scale $(SCALE)

clean:  ## remove build output (keeps the runtime data under TANDEM_HOME)
	rm -rf dbt_project/target dbt_project/logs .pytest_cache .ruff_cache
