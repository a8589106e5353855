# newsflow: `make demo` and `make test` work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench-extraction bench-pipeline clean

# Re-install whenever pyproject.toml changes; the stamp file makes repeated runs instant.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dashboard,dask]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/newsflow demo

# The lint runs first: it takes a second, and a finding fails the build like a failing test.
test: install lint
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-extraction: install
	$(BIN)/python bench/extraction.py

bench-pipeline: install
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf $(VENV) data bench/out .pytest_cache
