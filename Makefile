# One command sets everything up and runs the tests on a fresh machine: `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: test lint typecheck conformance grammar bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

test: $(VENV)/.installed
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy feel worker

# Regenerate the standalone LALR parser after editing feel/grammar.lark.
grammar: $(VENV)/.installed
	$(PY) -m feel.tools.build_parser

conformance: $(VENV)/.installed
	$(PY) ../shared/conformance/run_conformance.py --checkout . --show-failures 20

bench: $(VENV)/.installed
	$(PY) bench/feel_bench.py
	$(PY) bench/worker_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
