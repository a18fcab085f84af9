# Two commands do all the set-up on a fresh clone:
#   make site   creates .venv, installs litmap and the site's scripts, builds site/ from the bundled corpus
#   make test   also installs the test tools and Debian's Chromium, then runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: site offline test bench clean

site: $(VENV)/.installed node_modules/.installed
	$(BIN)/litmap build

offline: $(VENV)/.installed node_modules/.installed
	$(BIN)/litmap build --offline --out site-offline

test: $(VENV)/.installed-test node_modules/.installed /usr/bin/chromium
	$(BIN)/python -m pytest

bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python -m bench

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core

clean:
	rm -rf site site-offline docs
