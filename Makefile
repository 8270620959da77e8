# One command to run the app, one to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000

.PHONY: run setup system install migrate messages demo test check lint audit bench worker beat clean

# Debian packages the app needs at run time: PDF rendering (pango) and the Simplified Chinese font.
DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext
system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)"; fi; \
	fi

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

messages: install
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0

migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput -v0

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

setup: system install messages migrate demo

## make run: set everything up on SQLite (Celery eager) with demo data and serve on http://127.0.0.1:8000
run: setup
	@echo "Serving on http://$(HOST)/  (staff area: http://$(HOST)/admin/)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST)

## make test: the whole suite. With DATABASE_URL and REDIS_URL set it runs on PostgreSQL with a real Celery worker.
## Two steps: everything but the integration tests over every core (pytest-xdist, JOBS=auto: a test database per
## worker), then the integration tests one at a time (they start their own Celery worker, web servers and, for the
## crash tests, a PostgreSQL server, and time outages: they share the machine with nothing else). A PYTEST_ARGS that
## selects no test of one step is fine (pytest's "no tests collected", 5, counts as success there).
JOBS ?= auto
test: install messages
	$(BIN)/pytest -n $(JOBS) -m "not integration" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -p no:xdist -m integration $(PYTEST_ARGS) || [ $$? -eq 5 ]

## make check: the quick tier for the edit-and-test loop (no fuzz, browser, integration or seeded-city tests), over
## the test folders of the apps your change touches; TESTS=all for the whole quick tier, or TESTS="tests/x ..."
check: install messages
	$(PY) -m tests.check $(TESTS)

lint: install
	$(BIN)/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## make audit: bandit over the apps, pip-audit over requirements.txt (see tests/audit.py)
audit: install
	$(PY) -m tests.audit

## make bench: speed figures on PostgreSQL (tests/bench.py); the load comes from wrk (installed here if missing)
bench: install messages
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || echo "wrk is not installed: the load comes from Python threads"
	$(PY) -m tests.bench

worker: install
	$(BIN)/celery -A congress worker --loglevel=info

beat: install
	$(BIN)/celery -A congress beat --loglevel=info

clean:
	rm -rf $(VENV) var
