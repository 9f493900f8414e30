# Two commands: `make run` and `make test`. Both create .venv when absent and install requirements/dev.txt
# (the runtime set plus tests and tooling, pinned with hashes; `make requirements` recompiles both sets).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

.PHONY: run test lint format install migrate messages bench check-deploy requirements

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements/dev.txt | $(BIN)/python
	@echo "== installing the Python packages into $(VENV) (the first time takes a few minutes)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	@echo "== migrating the database"
	$(BIN)/python manage.py migrate --noinput
	@echo "== compiling the translations"
	$(BIN)/python manage.py compiletranslations

run: migrate
	@echo "== seeding the demo town (idempotent)"
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	PORT=$(PORT) HOST=$(HOST) bin/dev

test: install
	$(BIN)/python manage.py compiletranslations --settings=luocun_antifraud.settings.test
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=luocun_antifraud.settings.test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the catalogues from the source (needs GNU gettext: apt-get install gettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=static/vendor
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=static/vendor --ignore=staticfiles

bench: install
	$(BIN)/python -m bench

check-deploy: install
	DJANGO_SETTINGS_MODULE=luocun_antifraud.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	ALLOWED_HOSTS=antifraud.example.org FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	FIELD_HASH_KEY=$$(head -c 32 /dev/urandom | base64) $(BIN)/python manage.py check --deploy --fail-level WARNING

# Recompile the pinned sets after editing requirements/*.in (pip-tools is in the development set).
requirements: install
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements/runtime.txt requirements/runtime.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements/dev.txt requirements/dev.in
