# opscenter — `make demo` to try it, `make test` for the whole suite (SQLite, PostgreSQL, browser).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
ADDR    ?= 127.0.0.1:8000
SEED    ?= 2026
# Test processes (pytest-xdist; each gets its own test database): one per usable core, see
# scripts/cpus. `make test-sqlite TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= $(shell scripts/cpus)

# The demo runs with production settings except TLS: DEBUG off, plain HTTP on loopback.
DEMO_ENV := OPSCENTER_DEBUG=0 OPSCENTER_HTTPS=0

.PHONY: help venv demo test test-sqlite test-postgres test-browser lint lint-check format bench lock clean distclean

help:
	@echo "make demo           install, migrate, load the demo organization, serve on http://$(ADDR) with worker and scheduler"
	@echo "make test           ruff check, then the suite on SQLite, on PostgreSQL, and the browser tests"
	@echo "make test-sqlite    the suite on SQLite only"
	@echo "make test-postgres  the suite on PostgreSQL (OPSCENTER_TEST_DATABASE_URL or a throwaway cluster)"
	@echo "make test-browser   Playwright tests against /usr/bin/chromium (headless)"
	@echo "make lint           ruff check + ruff format --check"
	@echo "make bench          run bench/*_bench.py"
	@echo "make lock           regenerate requirements.lock with uv"
	@echo "make clean          remove caches and the throwaway PostgreSQL cluster (keeps .venv and var/db.sqlite3)"
	@echo "make distclean      clean, and remove .venv and var/"

# --- environment --------------------------------------------------------------------------------
# Re-install only when requirements.lock or pyproject.toml is newer than the stamp.
venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# --- demo -----------------------------------------------------------------------------------------
demo: venv
	$(DEMO_ENV) $(PY) -m opscenter migrate --noinput
	$(DEMO_ENV) $(PY) -m opscenter demo --no-serve --seed $(SEED)
	@echo "Serving on http://$(ADDR)/ with a task worker and the scheduler (Ctrl-C stops all three; logins above, password opscenter-demo-2026)"
	$(DEMO_ENV) exec $(PY) -m opscenter serve $(ADDR)

# --- tests ----------------------------------------------------------------------------------------
test: venv lint-check test-sqlite test-postgres test-browser
	@echo "== all suites passed =="

# Each suite prints how long it took, so a slow CI run says where its time went.
test-sqlite: venv
	@echo "== suite on SQLite ($(TEST_WORKERS) workers) =="
	@start=$$(date +%s); $(VENV)/bin/pytest opscenter -q -n $(TEST_WORKERS) --dist worksteal --durations=15; \
		status=$$?; echo "== SQLite suite: $$(( $$(date +%s) - start ))s =="; exit $$status

test-postgres: venv
	@echo "== suite on PostgreSQL ($(TEST_WORKERS) workers) =="
	@start=$$(date +%s); scripts/with-postgres.sh $(VENV)/bin/pytest opscenter -q -n $(TEST_WORKERS) --dist worksteal --durations=15; \
		status=$$?; echo "== PostgreSQL suite: $$(( $$(date +%s) - start ))s =="; exit $$status

# pytest exits 5 when it collects nothing: until tests/browser has tests, that is a warning.
test-browser: venv
	@echo "== browser tests (Playwright, headless /usr/bin/chromium) =="
	@if ! ls tests/browser/test_*.py >/dev/null 2>&1; then \
		echo "WARNING: tests/browser has no test files yet; browser suite skipped"; \
	else \
		start=$$(date +%s); status=0; \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest tests/browser -q -p no:randomly \
			-n $(TEST_WORKERS) --dist loadfile --durations=10 || status=$$?; \
		echo "== browser suite: $$(( $$(date +%s) - start ))s =="; \
		if [ $$status -eq 5 ]; then echo "WARNING: no browser tests collected in tests/browser"; status=0; fi; \
		exit $$status; \
	fi

# --- quality --------------------------------------------------------------------------------------
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# What `make test` gates on: lint rules only, so formatting nits do not fail CI.
lint-check: venv
	@echo "== ruff check =="
	$(VENV)/bin/ruff check .

format: venv
	$(VENV)/bin/ruff format .

bench: venv
	@found=0; for f in bench/*_bench.py; do \
		[ -e "$$f" ] || continue; found=1; \
		echo "== $$f =="; $(PY) "$$f" || exit 1; \
	done; \
	if [ $$found -eq 0 ]; then echo "no benchmarks in bench/ (bench/*_bench.py)"; fi

lock: venv
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python $(PY)

# --- housekeeping -------------------------------------------------------------------------------
clean:
	rm -rf var/pg var/static build .pytest_cache .ruff_cache .hypothesis test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var
