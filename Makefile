# Relay: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-dates browser-test lint format migrate vendor clean bench-deps bench bench-pages bench-dashboard pdf-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) notify run
	@$(FLASK) demo logins
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP) pdf-deps
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The tests marked `dates` (they count days, months or academic years) again, each at the
# instants where a wrong "today" shows (README "The test clock"): just after midnight UTC;
# 23:30 in Los Angeles, the demo's westernmost zone; 23:30 in Chicago at the end of the
# 23-hour day clocks go forward (00:30 in New York), and of the 25-hour day they go back;
# 00:30 in Chicago on the academic year's first day; New Year's Eve, 23:30 in Los Angeles.
DATES_AT ?= 2026-12-05T00:30:00Z,2026-12-05T07:30:00Z,2026-03-09T04:30:00Z,2026-11-02T05:30:00Z,2026-08-01T05:30:00Z,2027-01-01T07:30:00Z

test-dates: $(STAMP)
	RELAY_TEST_NOW="$(DATES_AT)" $(BIN)/python -m pytest -n 2 -q -m dates $(PYTEST_ARGS)

# The report's PDF (WeasyPrint) needs Pango and HarfBuzz from the system. As root on
# Debian/Ubuntu they are installed with apt; otherwise the command to run is printed and
# the PDF test skips saying so.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

pdf-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing WeasyPrint's system libraries: $(PDF_LIBS)"; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(PDF_LIBS); \
		else \
			echo "The report's PDF needs Pango: sudo apt-get install -y $(PDF_LIBS)" >&2; \
		fi; \
	fi

# End-to-end tests in a real browser (tests_browser/): Playwright drives Debian's Chromium.
# Playwright's own browser download is never used; as root, Chromium is installed with apt.
CHROMIUM ?= /usr/bin/chromium

browser-test: $(STAMP)
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ]; then \
		echo "Chromium not found at $(CHROMIUM): installing the Debian package"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi
	@test -x "$(CHROMIUM)" || { \
		echo "browser-test needs Chromium at $(CHROMIUM). Install it with" >&2; \
		echo "  sudo apt-get install chromium   (Debian; or set CHROMIUM=/path/to/chromium)" >&2; \
		exit 1; }
	RELAY_CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest -p no:xdist tests_browser $(PYTEST_ARGS)

# Benchmarks (not part of `make test`; README "Performance"): bench/load.py needs wrk.
bench-deps:
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; \
		else \
			echo "bench/load.py needs wrk: sudo apt-get install -y wrk" >&2; exit 1; \
		fi; }

bench: $(STAMP) bench-deps
	$(BIN)/python bench/load.py $(BENCH_ARGS)

bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# The national dashboard at 10, 100 and 1,000 generated chapters, SQLite and PostgreSQL
# (BENCH_DATABASE_URL names the PostgreSQL database; its name must contain "bench").
bench-dashboard: $(STAMP)
	$(BIN)/python bench/dashboard.py $(BENCH_ARGS)

# Style and types; CI runs this before the tests. mypy's settings are in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
