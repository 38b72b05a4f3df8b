# `make run` and `make test` work on a fresh clone: each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run index test bench eval lint clean

setup: $(STAMP)

# torch first, pinned: it installs the CPU build shipped with this machine's Python instead of
# a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

index: setup
	$(BIN)/assistant ingest

run: index
	$(BIN)/assistant serve

test: setup
	$(BIN)/python -m pytest

bench: index
	$(BIN)/assistant bench --output bench-report.json

eval: index
	$(BIN)/assistant eval --baseline

lint: setup
	$(BIN)/ruff check assistant integrations evals tests

clean:
	rm -rf $(VENV) indexes/chroma indexes/g* indexes/manifest.json
