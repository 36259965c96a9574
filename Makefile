# Two commands for a newcomer: `make run` and `make test`. Python 3.11+ is all they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
VAR := $(or $(VERIFY_VAR_DIR),var)

.PHONY: install run test lint migrate clean

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	@mkdir -p $(VAR)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_roles

run: migrate
	@test -s $(VAR)/demo-password || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(12))" > $(VAR)/demo-password
	$(BIN)/python manage.py seed_demo --password "$$(cat $(VAR)/demo-password)"
	@echo ""
	@echo "  Verify is starting at http://127.0.0.1:$(PORT)/  (back office: http://127.0.0.1:$(PORT)/admin/)"
	@echo "  Demo logins: editor, reviewer, reviewer2, approver, admin; password: $$(cat $(VAR)/demo-password)"
	@echo "  Stop with Ctrl-C."
	@echo ""
	$(BIN)/honcho start -p $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy claims verify
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf var .venv
