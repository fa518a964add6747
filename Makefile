# TalentPort — `make run` serves a seeded portal, `make test` runs every gate.
# Both work on a brand-new machine: they install what they need themselves.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
export PORT

.PHONY: run test install system-deps lint typecheck checks unit e2e schema messages bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Debian packages: chromium for the browser tests, gettext for compilemessages,
# CJK fonts so screenshots show Chinese.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

messages: install
	@if command -v msgfmt >/dev/null 2>&1; then cd talentport && ../$(BIN)/django-admin compilemessages -v 0; fi

run: install messages
	$(BIN)/talentport setup --demo --no-input
	$(BIN)/talentport serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy talentport

checks: install messages
	$(PY) manage.py makemigrations --check --dry-run
	TALENTPORT_ENV=production SECRET_KEY=ci-check-deploy-$$(date +%s)-not-a-real-secret-0123456789abcdefghij \
	  TALENTPORT_DATA_DIR=/var/lib/talentport \
	  FIELD_ENCRYPTION_KEY=ci-field-encryption-$$(date +%s)-not-a-real-secret-0123456789 \
	  FIELD_BLIND_INDEX_KEY=ci-blind-index-$$(date +%s)-not-a-real-secret-0123456789abcdef \
	  AUDIT_CHAIN_KEY=ci-check-deploy-audit-chain-$$(date +%s)-not-a-real-secret \
	  ALLOWED_HOSTS=talentport.example.cn $(PY) manage.py check --deploy --fail-level WARNING

# The schema describes the API, not the database: integer ranges differ between
# backends, so it is always generated against the embedded SQLite settings.
SCHEMA_ENV := DATABASE_URL=sqlite:///:memory:

schema: install
	@mkdir -p var
	@$(SCHEMA_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.generated.yaml
	@diff -u docs/openapi.yaml var/openapi.generated.yaml || \
	  (echo "docs/openapi.yaml is out of date: run 'make schema-update'"; exit 1)

schema-update: install
	$(SCHEMA_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

unit: install messages
	$(BIN)/pytest -n 2 -m "not e2e" tests

e2e: install system-deps messages
	$(BIN)/pytest -m e2e tests/e2e -p no:xdist

test: install system-deps lint typecheck checks schema unit e2e

bench: install
	$(PY) bench/search.py
	$(PY) bench/match.py

clean:
	rm -rf $(VENV) var talentport.sqlite3
