# Two commands set everything up on a fresh Debian machine:
#   make ebook   creates .venv/, installs the project, builds every guide into dist/
#   make test    installs the test tools and runs ruff and the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GUIDES := $(wildcard manuscript/*.md)

.PHONY: ebook press test bench lint deps clean

ebook: $(VENV)/.installed
	$(BIN)/publish build $(GUIDES) --out dist

# Everything, plus the print-shop edition of each guide (<slug>/<slug>-press.pdf).
press: $(VENV)/.installed
	$(BIN)/publish build $(GUIDES) --out dist --press

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest

# Build times against pandoc, rebuilds, scale; writes tests/benchmarks/results.json.
bench: $(VENV)/.installed
	$(BIN)/python tests/benchmarks/bench.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# System libraries WeasyPrint needs (Pango, HarfBuzz subset); installed with apt-get when
# run as root, otherwise the check says what to install.
deps:
	$(PYTHON) -m guidepress.sysdeps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m guidepress.sysdeps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m guidepress.fonts literata   # static font instances, made once
	touch $@

# Test tools: Python packages, plus DAISY Ace (npm) for the ebook accessibility check.
# --ignore-scripts: Ace's puppeteer would download its own browser; it runs Debian's
# chromium instead (PUPPETEER_EXECUTABLE_PATH, set by the tests).
ACE_VERSION := 1.4.6
$(VENV)/.installed-test: $(VENV)/.installed Makefile
	$(PYTHON) -m guidepress.sysdeps --tests
	$(BIN)/python -m pip install --quiet -e '.[test]'
	npm install --silent --prefix $(VENV)/ace --ignore-scripts --no-audit --no-fund \
		@daisy/ace@$(ACE_VERSION)
	touch $@

clean:
	rm -rf dist .pytest_cache
