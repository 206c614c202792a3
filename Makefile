# Relay: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi

# The versions CI tested: every package that `.[dev]` pulls in, pinned (README, Development).
LOCK := requirements/constraints.txt

.PHONY: run test test-dates browser-test deploy-deps deploy-test lint format migrate vendor clean bench-deps bench bench-pages bench-dashboard bench-report pdf-deps lock lock-upgrade check

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(LOCK) --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

# Rebuild the lock from pyproject.toml with pip-tools in a throwaway venv. `make lock`
# keeps every pin that still fits pyproject and resolves only what changed (a dependency
# added, removed or re-ranged); `make lock-upgrade` moves everything to the newest allowed
# version. One package: make lock LOCK_ARGS='--upgrade-package NAME'. pip is pinned too
# (pip-audit needs it; the venv's pip comes from the lock). The pins are for the Python
# that runs this (CI's is 3.11).
PIP_TOOLS := pip-tools>=7.6,<8

lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip '$(PIP_TOOLS)'; \
	mkdir -p $(dir $(LOCK)); \
	CUSTOM_COMPILE_COMMAND="make lock" "$$tmp/venv/bin/pip-compile" --quiet \
		--extra dev --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		$(LOCK_ARGS) -o $(LOCK) pyproject.toml
	@echo "$(LOCK) rebuilt; review and commit it with the pyproject.toml change"

lock-upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) notify run
	@$(FLASK) demo logins
	@# The mail worker beside the development server, as deployed: a message the server
	@# could not send after its response (the browser dropped the connection first) goes.
	$(FLASK) outbox deliver --loop --interval 5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
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

# The report's PDF (WeasyPrint) needs Pango and HarfBuzz from the system, and its tests read
# the PDF with poppler's pdfinfo and pdftotext. As root on Debian/Ubuntu they are installed
# with apt; otherwise the command to run is printed and the PDF tests skip saying so.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
PDF_SONAMES := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0

pdf-deps:
	@missing=; for so in $(PDF_SONAMES); do \
		ldconfig -p 2>/dev/null | grep -q "$$so" || missing="$$missing $$so"; \
	done; \
	command -v pdfinfo >/dev/null || missing="$$missing pdfinfo"; \
	if [ -n "$$missing" ]; then \
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

# The production run (tests_deploy/): Relay started from deploy/ as the README's deploy
# section says, RELAY_ENV=production, nginx with TLS in front of two gunicorn instances,
# PostgreSQL, Redis, the mail worker and an SMTP server, all on loopback; then used through
# nginx. Needs PostgreSQL and Redis on 127.0.0.1 (other addresses, ports and names:
# tests_deploy/conftest.py). nginx and openssl are Debian packages, installed with apt as
# root when missing. `timeout` stops a stuck run; the run still stops every server it began.
NGINX ?= /usr/sbin/nginx
DEPLOY_TEST_TIMEOUT ?= 270

deploy-deps:
	@missing=""; \
	[ -x "$(NGINX)" ] || missing="nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing the production run's Debian packages: $$missing"; \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
		else \
			echo "make deploy-test needs: sudo apt-get install -y $$missing" >&2; exit 1; \
		fi; \
	fi

deploy-test: $(STAMP) pdf-deps deploy-deps
	RELAY_NGINX="$(NGINX)" timeout --kill-after=30 $(DEPLOY_TEST_TIMEOUT) \
		$(BIN)/python -m pytest -p no:xdist tests_deploy $(PYTEST_ARGS)

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

# Each demo chapter's report page and PDF on PostgreSQL (BENCH_DATABASE_URL, as above;
# BENCH_ARGS="--jit on" for the figures with PostgreSQL's JIT compiler on).
bench-report: $(STAMP) pdf-deps
	$(BIN)/python bench/report.py $(BENCH_ARGS)

# Style and types; CI runs this before the tests. mypy's settings are in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Supply chain and security lint (CI runs it after lint): the lock pins exactly what
# pyproject asks for (else: make lock); bandit finds nothing in the app's code (a false
# positive gets `# nosec BXXX # why` on its line; README, Development); pip-audit knows
# no vulnerability in the lock (where it gets no advisory data it warns and passes).
APP_CODE := core accounts chapters campaigns national notifications config.py wsgi.py demo*.py

check: $(STAMP)
	$(BIN)/python requirements/check_lock.py
	$(BIN)/bandit --quiet --recursive $(APP_CODE)
	$(BIN)/python requirements/audit_lock.py

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
