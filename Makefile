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
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true

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

bench: $(VENV)/.installed
	$(BIN)/python bench/ingest_enrich.py $(if $(QUICK),--quick,)
	$(BIN)/python bench/dashboard_rerun.py
	$(BIN)/python bench/snapshot.py $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
