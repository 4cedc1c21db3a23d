# decentraal: every target sets up .venv itself (Python 3.11 + pip, no conda needed).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CONFIG ?= configs/haarlem.yaml

.DEFAULT_GOAL := help
.PHONY: help venv data report zandvoort test browser bench lab clean

help: ## List every target with what it does
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP) ## Create or refresh the project virtualenv (.venv); no-op when nothing changed

data: $(STAMP) ## Build data/processed/ from data/raw/ and say where it is
	$(PY) -m decentraal data build

report: $(STAMP) browser ## Run the default analysis (configs/haarlem.yaml) into outputs/<run_id>/ (HTML and A4 PDF)
	$(PY) -m decentraal run --config $(CONFIG)

zandvoort: $(STAMP) browser ## Run the analysis for Zandvoort (configs/zandvoort.yaml)
	$(PY) -m decentraal run --config configs/zandvoort.yaml

browser: ## Install Debian's chromium for the browser test when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser ## Lint (ruff, notebooks included) and run every test (unit, data checks, notebooks, end-to-end, browser)
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(STAMP) ## Time cold and warm runs and the floor; writes outputs/bench.json
	$(PY) -m decentraal.run.bench

lab: $(STAMP) ## Open the notebooks in JupyterLab
	$(VENV)/bin/jupyter lab notebooks/

clean: ## Remove data/processed/ and all runs in outputs/ (keeps .venv)
	find data/processed -mindepth 1 ! -name README.md -delete
	find outputs -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
