# sorkit: the two commands a newcomer needs are `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo.duckdb
PORT   ?= 8888

.PHONY: lab test test-fast bench app lint format typecheck clean demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null 2>&1 || true
	touch $(STAMP)

$(DEMO): $(STAMP)
	$(BIN)/python -m sorkit.demo $(DEMO)

demo: $(DEMO)

lab: $(STAMP) $(DEMO)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root,) notebooks/00_start.ipynb

app: $(STAMP) $(DEMO)
	$(BIN)/sorkit app --register $(DEMO) --port $(PORT)

test: $(STAMP) $(DEMO)
	bash scripts/ensure-chromium
	$(BIN)/ruff check sorkit tests benchmarks
	$(BIN)/mypy sorkit
	$(BIN)/pytest -q --durations=15
	$(BIN)/pytest -q --nbval-lax --nbval-current-env notebooks/0*.ipynb

# The edit-test loop: every test except the real-browser and the slow ones (no lint, no notebooks).
test-fast: $(STAMP) $(DEMO)
	$(BIN)/pytest -q -m "not browser and not slow" --durations=5

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/bench_batch.py benchmarks/work/sor-200000-h4-g1.duckdb --rows 5000
	$(BIN)/python benchmarks/bench_import.py --units 102000

lint: $(STAMP)
	$(BIN)/ruff check sorkit tests benchmarks
	$(BIN)/ruff format --check sorkit tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format sorkit tests benchmarks
	$(BIN)/ruff check --fix sorkit tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy sorkit

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
