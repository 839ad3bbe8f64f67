# LA-LISA. `make run`: the demo on http://127.0.0.1:8000/. `make test`: every gate CI runs.

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
# Inside the venv, so a deleted venv is rebuilt; reinstalls only when pyproject.toml changes.
STAMP = $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/lalisa

.PHONY: install run test panduan

install: $(STAMP)

# The browser test drives Debian's Chromium (never Playwright's own download).
CHROMIUM = /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The monthly report's PDF font (ReportLab falls back to its own Vera without it).
FONT = /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
$(FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core

# schemathesis checks the JSON API against its OpenAPI document (scripts/api_fuzz.py). It
# lives in its own environment: its many dependencies stay out of the project's.
ST_VENV = .venv-schemathesis
SCHEMATHESIS = $(ST_VENV)/bin/schemathesis
$(SCHEMATHESIS):
	test -x $(ST_VENV)/bin/python || $(PYTHON) -m venv $(ST_VENV)
	$(ST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.*"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/lalisa demo

# The PostgreSQL run must fail, never skip, when the server is down: check it first.
test: install $(CHROMIUM) $(FONT) $(SCHEMATHESIS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=makemigrations-check-only-0123456789-abcdefghijklmnopqrstuvwxyz \
		$(BIN)/lalisa makemigrations --check --dry-run
	# Two processes, one per core, each with its own test database; a file stays on one.
	env -u DATABASE_URL $(BIN)/pytest -n 2 --dist loadfile
	# The API against its document, on a throwaway demo server (about two minutes).
	$(BIN)/python scripts/api_fuzz.py --schemathesis $(SCHEMATHESIS)
	$(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=5).close()' "$(PG_URL)" \
		|| { echo "PostgreSQL at $(PG_URL) is unreachable; the PostgreSQL test run fails." >&2; exit 1; }
	# The browser test runs a demo on its own SQLite database: once is enough.
	DATABASE_URL="$(PG_URL)" $(BIN)/pytest -n 2 --dist loadfile --create-db -m "not browser"

# The user guides' screenshots (docs/panduan/img/), taken by the browser test.
panduan: install $(CHROMIUM) $(FONT)
	LALISA_SCREENSHOTS=docs/panduan/img $(BIN)/pytest -m browser tests/test_browser.py
