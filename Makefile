# Targets for people: `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` serves; the site's links (canonical, Open Graph, robots.txt, emails) follow them
# unless SITE_URL is set. `make run PORT=8011 HOST=0.0.0.0`
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: auto is one per CPU core; 0 runs the suite in one process.
TEST_WORKERS ?= auto
# `make bench`: PostgreSQL for the benchmarks (Redis servers of their own are started on free ports).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/consult_bench
FANOUT_SUBSCRIBERS ?= 100000

.DEFAULT_GOAL := help
.PHONY: help install run browser wrk bench test screenshots lint format worker beat clean

help: ## List the targets and the variables they take
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'
	@echo ""
	@echo "  Variables (e.g. make run PORT=8011):"
	@printf "  %-24s %s\n" "HOST=$(HOST)" "the address make run serves on (0.0.0.0: every interface)" \
	  "PORT=$(PORT)" "its port; links in pages and emails follow HOST and PORT unless SITE_URL is set" \
	  "TEST_WORKERS=$(TEST_WORKERS)" "make test's parallel workers (0: one process)" \
	  "PYTEST_ARGS=" "more options for pytest, e.g. PYTEST_ARGS=tests/api" \
	  "BENCH_DATABASE_URL=$(BENCH_DATABASE_URL)" "make bench's PostgreSQL (each benchmark makes its own test_ database)" \
	  "FANOUT_SUBSCRIBERS=$(FANOUT_SUBSCRIBERS)" "make bench's fan-out size" \
	  "BENCH_ONLY=" "make bench runs only these, e.g. BENCH_ONLY=throughput,loadtest"

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate ## Create .venv and install every dependency

run: install ## Install, migrate, load the demo content and serve the site
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_content
	@echo "\n  The site is at http://$(HOST):$(PORT)/  (stop with Ctrl+C)\n"
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

browser: ## Install Debian's Chromium and axe-core (npm) for the real-browser tests
	-@command -v chromium >/dev/null || { SUDO=$$(command -v sudo || true); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }
	-@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund

wrk: ## Install Debian's wrk, the HTTP load generator of the throughput and load benchmarks
	-@command -v wrk >/dev/null || { SUDO=$$(command -v sudo || true); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }

bench: install wrk ## Every benchmark beside its anchor in one run (~20 min, PostgreSQL needed): JSON lines, then the table, also written to docs/performance.md
	@command -v redis-server >/dev/null || { echo "make bench needs redis-server (Debian: redis-server)"; exit 1; }
	@pg_isready -q -d "$(BENCH_DATABASE_URL)" || { echo "make bench needs PostgreSQL at BENCH_DATABASE_URL=$(BENCH_DATABASE_URL)"; exit 1; }
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) FANOUT_SUBSCRIBERS=$(FANOUT_SUBSCRIBERS) BENCH_ONLY=$(BENCH_ONLY) $(BIN)/python -m bench

test: install browser ## Install everything and run the whole test suite, on TEST_WORKERS workers
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

screenshots: install browser ## Take the README's screenshots again, in a real browser (docs/screenshots/)
	SCREENSHOTS=docs/screenshots $(BIN)/pytest -n 0 -p no:randomly -q tests/e2e/test_every_page.py -k screenshot

lint: install ## ruff check, ruff format --check, mypy and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install ## Run a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A config worker -l info -Q transactional,bulk,celery

beat: install ## Run Celery beat (needs REDIS_URL)
	$(BIN)/celery -A config beat -l info

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
