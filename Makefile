# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8000
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Index the bundled sample corpus (incrementally: unchanged releases are
# skipped), then serve it at http://127.0.0.1:$(PORT) (`make run PORT=8080`).
run: $(STAMP)
	$(BIN)/pressroom index --index index samples
	$(BIN)/pressroom serve --index index --host 127.0.0.1 --port $(PORT)

# axe-core for the browser tests' accessibility checks, pinned in package.json
# (npm's registry at install time only; the tests never fetch anything).
$(AXE): package.json
	npm install --no-audit --no-fund
	touch $(AXE)

# One pytest worker per core (pytest-xdist): the suite's budget is 3 minutes on 2 cores.
test: $(STAMP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .
