# Kakehashi — `make run` serves the demo network, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
WEB_WORKERS ?= 3
# Test processes: one per core. Each takes whole files, so that a module's fixtures (the demo,
# loaded once) are set up once and its tests run in their order.
TEST_WORKERS ?= auto
KH := $(VENV)/bin/kakehashi
STAMP := $(VENV)/.installed

.PHONY: install run dev test lint bench test-tools clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# node_modules holds the fonts certificates are set in, and the browser tests' axe-core.
NODE_STAMP := node_modules/.package-lock.json

install: $(STAMP) $(NODE_STAMP)

var/.ready: $(STAMP) $(NODE_STAMP) $(wildcard src/kakehashi/*/migrations/*.py)
	$(KH) migrate --noinput
	$(KH) demo
	@mkdir -p var && touch var/.ready

run: var/.ready
	$(KH) collectstatic --noinput --verbosity 0
	PORT=$(PORT) WEB_WORKERS=$(WEB_WORKERS) KH=$(KH) scripts/serve.sh

dev: var/.ready
	KAKEHASHI_JOBS_IMMEDIATE=0 $(KH) run_huey --workers 1 & trap 'kill $$!' EXIT; \
	$(KH) runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(KH) makemigrations --check --dry-run

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the certificates' fonts: install Node.js and npm"; exit 1; }
	npm ci --no-audit --no-fund --silent

test-tools: $(NODE_STAMP)
	scripts/ensure-test-tools.sh

test: $(STAMP) test-tools
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(KH) makemigrations --check --dry-run --verbosity 0
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf var $(VENV) node_modules

bench: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/python bench/run.py
