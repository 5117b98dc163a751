# Everyday commands. Each one sets up what is missing first (scripts/setup.sh is a
# fast no-op when everything is there).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := engine ocr storage api samples
# per-test limit in seconds (slow OCR tests read many generated documents)
TEST_TIMEOUT ?= 600
# extra pytest arguments: make test PYTEST_ARGS='-k storage'
PYTEST_ARGS ?=

.PHONY: help setup demo test lint bench clean distclean

help:
	@echo "make setup   install system packages, .venv and the project (idempotent)"
	@echo "make demo    generate a sample case, verify it, write the HTML report"
	@echo "make test    run the test suite (2 workers)"
	@echo "make lint    ruff and mypy"
	@echo "make bench   reading and verdict accuracy over generated cases"
	@echo "make clean   remove caches and build output (keeps .venv and .var data)"

setup:
	@bash scripts/setup.sh

demo: setup
	PREREVIEW_DATA_DIR=.var/prereview $(VENV)/bin/prereview demo --out .var/demo

test: setup
	$(PY) -m pytest -n 2 -q --timeout=$(TEST_TIMEOUT) $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check $(PACKAGES)
	$(VENV)/bin/mypy $(PACKAGES)

bench: setup
	$(VENV)/bin/prereview bench accuracy

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache ./*.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

# also the virtualenv (the next make command recreates it)
distclean: clean
	rm -rf $(VENV)
