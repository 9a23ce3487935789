# Two commands do everything on a fresh machine:
#   make run    build the index of corpus/ (if missing or stale) and serve the app on 127.0.0.1:7860
#   make test   install everything the tests need and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint format clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/python app.py

test: install
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/bench_index.py

lint: install
	$(BIN)/ruff check index qa tests bench app.py
	$(BIN)/ruff format --check index qa tests bench app.py

format: install
	$(BIN)/ruff format index qa tests bench app.py

clean:
	rm -rf $(VENV) data build *.egg-info
