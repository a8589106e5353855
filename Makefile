# newsflow: `make demo` and `make test` work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench-extraction bench-pipeline clean

# Re-install whenever pyproject.toml changes; the stamp file makes repeated runs instant.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dashboard,dask]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/newsflow demo

test: install
	$(BIN)/python -m pytest -q

bench-extraction: install
	$(BIN)/python bench/extraction.py

bench-pipeline: install
	$(BIN)/python bench/pipeline.py

clean:
	rm -rf $(VENV) data bench/out .pytest_cache
