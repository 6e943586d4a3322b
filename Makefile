# Two commands for a fresh machine (Python 3.11 + pip):
#   make demo   — set up and validate the shipped EAST 5.0 example, reports in out/
#   make test   — set up and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test test-fast setup clean bench

$(BIN)/jianhe: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/jianhe

setup: $(BIN)/jianhe

demo: setup
	$(BIN)/jianhe validate examples/east5/B0001H111000001-20240630 --report-dir out --format html,json,junit,xlsx --fail-on strong --previous-date 20240531; \
	  rc=$$?; echo "jianhe exit code $$rc (1 = planted defects found, as expected)"; test $$rc -le 1

test: setup
	$(BIN)/python -m pytest

# the quick loop while working: everything but servers, browsers, Spark, GX, wheels and resource tests
test-fast: setup
	$(BIN)/python -m pytest -m "not slow" -x

# make bench ROWS=10000000 [ARGS="--skip gx --reps 3"] — benchmarks/run.py (Soda, GX: pip install -e '.[bench]')
ROWS ?= 1000000
bench: setup
	$(BIN)/python -m benchmarks.run --rows $(ROWS) $(ARGS)

clean:
	rm -rf $(VENV) out
