# One task runner for people and CI alike.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Twilio's spec beside a checkout (as CI lays it out); else the user cache is used.
SPEC_BESIDE := $(wildcard $(abspath ..)/shared/twilio-oai/spec/json)
ifneq ($(SPEC_BESIDE),)
export TWREPLAY_SPEC_DIR ?= $(SPEC_BESIDE)
endif

.PHONY: demo test lint bench cassettes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python examples/demo.py

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check twreplay tests benchmarks examples
	$(BIN)/mypy twreplay

lint: $(VENV)/.installed
	$(BIN)/ruff check twreplay tests benchmarks examples
	$(BIN)/ruff format --check twreplay tests benchmarks examples
	$(BIN)/mypy twreplay

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/spec_engine.py
	$(BIN)/python benchmarks/replay.py
	cd benchmarks && ../$(BIN)/python synthetic.py

# Re-record the shared cassettes against the local Twilio stand-in (see cassettes/README.md).
cassettes: $(VENV)/.installed
	$(BIN)/python -m tests.record_examples
	$(BIN)/twreplay validate cassettes
	$(BIN)/twreplay audit cassettes

clean:
	rm -rf $(VENV) build dist .pytest_cache
