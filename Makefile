# The French Bot — `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
# Links in e-mails and the printed admin address follow the port the site is served on.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL
STAMP := $(VENV)/.installed

.PHONY: install run dev test test-postgres bench lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

# Production settings on one machine: DEBUG off, WhiteNoise serves static files, a task worker beside the app
# (`frenchbot worker`: the queue, its heartbeat and the daily retention jobs).
# `prepare` (one process): migrations, static files when they changed, the demo in an empty database, the index
# of words, the metrics folder emptied; the search vectors and the bot's intents are computed by the worker, whose progress lines show here.
run: $(STAMP)
	@DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/frenchbot prepare
	@echo "The French Bot : http://$(HOST):$(PORT)/  (Ctrl+C pour arrêter)"
	@DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/frenchbot worker -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/uvicorn config.asgi:application \
		--host $(HOST) --port $(PORT) --workers $(WORKERS) --no-access-log --lifespan off

dev: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/frenchbot migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/frenchbot demo --if-empty
	DJANGO_SETTINGS_MODULE=config.settings.local TASKS_BACKEND=immediate $(BIN)/frenchbot runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest

# The same suite against PostgreSQL (DATABASE_URL defaults to the local server, trust auth).
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/frenchbot} $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/blog_load.py

# Every template under frenchbot/ (each app's templates/<app>/ and the shared frenchbot/templates/).
TEMPLATES = $(shell find frenchbot -path '*/templates/*' -name '*.html')

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $(TEMPLATES)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml $(TEMPLATES)

# Extract translatable strings and compile the catalogues (needs GNU gettext).
# English catalogue to translate; French one generated (plural rule only, see frenchbot/core/french_catalog.py).
messages: $(STAMP)
	cd frenchbot && DJANGO_SETTINGS_MODULE=config.settings.local ../$(BIN)/django-admin makemessages -l en -l fr --ignore 'blog/demo/*'
	$(BIN)/python -m frenchbot.core.french_catalog frenchbot/locale/fr/LC_MESSAGES/django.po
	cd frenchbot && DJANGO_SETTINGS_MODULE=config.settings.local ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var/static
