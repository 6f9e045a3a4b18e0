# bimflow: `make run` starts everything with a demo project; `make test` runs every test.
SHELL := /bin/bash
# The sandbox's unprivileged uid must be able to read the interpreter: prefer the
# system Python (world-readable) over one under a private home such as pyenv's.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || command -v python3.11)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
FRONTEND_SRC := $(shell test -d frontend && find frontend/src frontend/scripts frontend/public frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.ts -type f 2>/dev/null)

.PHONY: setup run test lint lock system-deps frontend migrate clean

setup: $(VENV)/.stamp-deps migrate frontend

$(VENV)/.stamp-deps: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]" --config-settings editable_mode=compat
	@touch $@

# Migrating also puts the built-in scripts into the database (a post-migrate hook).
migrate: $(VENV)/.stamp-deps
	@$(BIN)/bimflow manage migrate -v0

frontend: $(if $(wildcard frontend/package.json),frontend/dist/index.html)

frontend/node_modules/.stamp: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend/dist/index.html: frontend/node_modules/.stamp $(FRONTEND_SRC)
	cd frontend && npm run build --silent

run: setup
	@$(BIN)/bimflow demo
	@$(BIN)/bimflow serve --host $(HOST) --port $(PORT) --no-migrate

# Debian's Chromium for the end-to-end tests (Playwright drives it; it cannot download one).
system-deps:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium: the end-to-end tests will be skipped (or fail under CI=true)."; \
	  else echo "chromium is not installed: the end-to-end tests will be skipped (or fail under CI=true)."; fi; \
	fi

lint: $(VENV)/.stamp-deps
	$(BIN)/ruff check bimflow tests bench
	$(BIN)/ruff format --check bimflow tests bench
	$(BIN)/mypy bimflow/ifc
	@if [ -f frontend/package.json ]; then cd frontend && npm run --silent lint && npm run --silent typecheck && npm run --silent test; fi

test: setup system-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lock:
	rm -rf /tmp/bimflow-lock && $(PYTHON) -m venv /tmp/bimflow-lock
	/tmp/bimflow-lock/bin/pip install -q -e ".[dev]"
	/tmp/bimflow-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist
