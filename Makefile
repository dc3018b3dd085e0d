# CX Suite — `make demo` runs the product, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
export PORT

# `make test-clock` runs these tests again at each of these instants (tests/helpers/clock.py):
# tonight at 23:30 in alpha's zone, and the night summer time starts there.
CLOCK_AT ?= 23:30[Europe/Berlin] 2027-03-28T01:30[Europe/Berlin]
CLOCK_TESTS ?= tests/appointments tests/messaging tests/scheduling
SMOKE_LOG := $(VENV)/bench-smoke.log

.PHONY: demo demo-stop test test-clock fuzz bench lint format install db db-stop browser help

help:
	@echo "make demo        install, start the database, seed Bright Smile Dental, run web + worker + beat"
	@echo "                 (a demo still running is stopped first; killed, it takes its processes along)"
	@echo "make demo-stop   stop a running demo, what a killed one left behind, and the embedded database"
	@echo "make test        install and run every test (browser tests need Debian's chromium), then"
	@echo "                 every bench at tiny sizes (bench/run.py --smoke)"
	@echo "make test-clock  the appointments, messaging and scheduling tests at other instants ($(CLOCK_AT))"
	@echo "make fuzz        the API fuzz test, longer: more examples per operation, longer create-read-"
	@echo "                 update-delete scenarios, every operation with an API key and an OAuth token"
	@echo "make bench       print provisioning, tick, API, CRM, messaging and appointments figures"
	@echo "make lint        ruff check + ruff format --check + import contracts + mypy"

# $(call with_database,commands): run the commands with the database up. Without DATABASE_URL
# the embedded PostgreSQL is started, and stopped afterwards if this run had to start it. A
# command that fails sets status=1; the rest still run.
define with_database
was_running=1; if [ -z "$$DATABASE_URL" ]; then \
  $(BIN)/python -m cxsuite.embedded status >/dev/null || was_running=0; \
  $(BIN)/python -m cxsuite.embedded start >/dev/null; fi; \
status=0; $(1); \
if [ $$was_running = 0 ]; then $(BIN)/python -m cxsuite.embedded stop; fi; exit $$status
endef

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

demo-stop:
	@$(BIN)/python -m cxsuite.demo --stop

# The benches run at tiny sizes after the tests, on the same server, so one that stopped
# working fails here (their output: $(SMOKE_LOG)).
test: install browser
	@$(call with_database,$(BIN)/python -m pytest -q || status=1; \
	  echo "bench/run.py --smoke (log: $(SMOKE_LOG))"; \
	  if $(BIN)/python bench/run.py --smoke >$(SMOKE_LOG) 2>&1; then tail -1 $(SMOKE_LOG); \
	  else tail -40 $(SMOKE_LOG); echo "bench smoke run failed"; status=1; fi)

# The clock starts at each instant and ticks; worker processes started by tests follow it.
test-clock: install
	@$(call with_database,set -f; for at in $(CLOCK_AT); do \
	  echo "pytest --at=$$at $(CLOCK_TESTS)"; \
	  $(BIN)/python -m pytest -q --at="$$at" $(CLOCK_TESTS) || status=1; done)

# `make test` runs the fuzz test briefly; this runs it for longer, with both credentials.
FUZZ_MAX_EXAMPLES ?= 60
FUZZ_STATEFUL_EXAMPLES ?= 200
fuzz: install
	@$(call with_database,FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) \
	  FUZZ_STATEFUL_EXAMPLES=$(FUZZ_STATEFUL_EXAMPLES) FUZZ_CREDENTIALS=both \
	  $(BIN)/python -m pytest -q -m fuzz tests/test_api_schema_fuzz.py || status=1)

bench: db
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1; } || true
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
