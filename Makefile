# Relay: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint format migrate vendor clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After changing models: autogenerate a migration, then read and fix it.
migrate: $(STAMP)
	$(FLASK) db migrate -m "$(m)"

# Refresh third-party CSS from the npm registry (committed under static/vendor/).
vendor:
	rm -rf /tmp/relay-vendor && mkdir -p /tmp/relay-vendor
	cd /tmp/relay-vendor && npm pack --silent @picocss/pico@2.1.1 && tar xzf picocss-pico-*.tgz
	cp /tmp/relay-vendor/package/css/pico.min.css /tmp/relay-vendor/package/LICENSE.md static/vendor/pico/

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
