# Hito: `make run` starts the dashboard on bundled data; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint layers demo bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	MALLOC_ARENA_MAX=2 $(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true

test: $(VENV)/.installed-test
	$(BIN)/ruff check geo dashboard tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check geo dashboard tests bench
	$(BIN)/mypy

layers: $(VENV)/.installed
	$(BIN)/python -m geo.build_layers --reference data/sources --out data

demo: $(VENV)/.installed
	$(BIN)/hito demo --n 5000 --seed 1 -o data/demo_incidents.csv

# One JSON line per figure of issue 7, then one per target (bench/run_all.py); QUICK=1: < 2 min.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run_all.py $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
