# The README's two commands: `make demo` and `make test`. Both install into .venv first.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all
PYTHON ?= python3

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/dramabatch-demo --texts demo/texts --out demo/sources
	$(BIN)/snakemake --cores $(CORES)

lint: install
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile rules

test: install lint
	$(BIN)/pytest

clean:
	rm -rf results .snakemake demo/sources
