# Cyd: `make run` serves the demo site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test install messages lint bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Compile the Welsh catalogue with Babel, so no system gettext is needed.
messages: $(STAMP)
	for dir in locale */locale; do \
	  if [ -d "$$dir" ]; then $(PY) -m babel.messages.frontend compile --domain django --directory "$$dir" --statistics || exit 1; fi; \
	done

run: messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py check
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

test: messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) bench/tally.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
