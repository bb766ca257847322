# redlet: make run | make test | make bench | make lint
PYTHON ?= python3
VENV ?= .venv
PORT ?= 6379
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench soak lint clean venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	mkdir -p data
	$(BIN)/redlet-server --bind 127.0.0.1 --port $(PORT) --dir ./data --appendonly yes --appendfsync everysec

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# issue 9: 200 clients over every type for 300 s, maxmemory 64mb (bench/soak.py)
soak: $(STAMP)
	$(BIN)/python bench/soak.py --seconds 300 $(SOAK_ARGS)

lint: $(STAMP)
	$(BIN)/pip install -q ruff
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
