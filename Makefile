# Two commands do everything on a fresh machine:
#   make run    build the index of corpus/ (if missing or stale) and serve the app on 127.0.0.1:7860
#   make test   install everything the tests need and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: install browser run test bench bench-load bench-upload lint format clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here),
# plus a CJK font so the screenshots are readable. Installed only when missing.
browser:
	@test -x $(CHROMIUM) || { $(APT) update && $(APT) install -y chromium; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { $(APT) update && $(APT) install -y fonts-wqy-microhei; }

run: install
	$(BIN)/python app.py

test: install browser
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/bench_index.py

bench-load: install
	$(BIN)/python bench/bench_load.py

bench-upload: install
	$(BIN)/python bench/bench_load.py --upload

lint: install
	$(BIN)/ruff check index qa tests bench app.py
	$(BIN)/ruff format --check index qa tests bench app.py

format: install
	$(BIN)/ruff format index qa tests bench app.py

clean:
	rm -rf $(VENV) data build *.egg-info
