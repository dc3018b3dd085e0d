# CX Suite — `make demo` runs the product, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
export PORT

.PHONY: demo test bench lint format install db db-stop browser help

help:
	@echo "make demo   install, start the database, seed Bright Smile Dental, run web + worker + beat"
	@echo "make test   install and run every test (browser tests need Debian's chromium)"
	@echo "make bench  print provisioning, tick and API throughput figures"
	@echo "make lint   ruff check + ruff format --check + import contracts"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	@echo "installing dependencies into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install -e ".[dev]" --config-settings editable_mode=compat \
	  > $(VENV)/install.log 2>&1 || { tail -30 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

# Without DATABASE_URL the embedded PostgreSQL (pgserver) in .data/ is started once.
db: install
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python -m cxsuite.embedded start; fi

db-stop:
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python -m cxsuite.embedded stop; fi

# Debian's chromium drives the browser tests; installed when missing and apt-get is usable.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium not found (apt-get install chromium): browser tests will be skipped"; fi; }

demo: db
	@$(BIN)/python manage.py bootstrap
	@$(BIN)/python manage.py collectstatic --noinput -v0
	@$(BIN)/python manage.py seed_demo --quiet-login
	@$(BIN)/python -m cxsuite.demo

# The embedded database is stopped afterwards if this run had to start it.
test: install browser
	@was_running=1; if [ -z "$$DATABASE_URL" ]; then \
	  $(BIN)/python -m cxsuite.embedded status >/dev/null || was_running=0; \
	  $(BIN)/python -m cxsuite.embedded start >/dev/null; fi; \
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$was_running = 0 ]; then $(BIN)/python -m cxsuite.embedded stop; fi; exit $$status

bench: db
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1; } || true
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
