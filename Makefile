# Cyd: `make run` serves the demo site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Every link the demo prints, the Wagtail Site's address and the admin's base URL follow HOST and PORT
# (a server listening on all addresses is reached from this machine at 127.0.0.1).
export WAGTAILADMIN_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
# A client's frame may be at most 16 KB (deliberation/protocol.py MAX_FRAME_BYTES; daphne drops the connection on a larger
# one). The message limit is also what the server may SEND (autobahn checks both ways), and a session's state or a
# replay outgrows 16 KB: 8 MiB bounds what a client can make the server buffer from fragments, and still fits the
# state of a very large session.
DAPHNE_LIMITS := --websocket-max-message-size 8388608 --websocket-max-frame-size 16384
# Listen with a backlog of 1024 (Twisted's default is 50): a connect storm of a thousand people is queued, not refused
# (docs/performance.md). The host's colons (IPv6) are escaped for Twisted's endpoint syntax.
DAPHNE_ENDPOINT := tcp:port=$(PORT):interface=$(subst :,\\:,$(HOST)):backlog=1024

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
	@# cyd_worker keeps the schedule on the server's clock (rounds open and close, reminders fall due); db_worker runs the
	@# queued tasks (e-mail). Ctrl-C (or daphne exiting) stops all three.
	$(PY) manage.py cyd_worker & worker=$$!; \
	$(PY) manage.py db_worker --backend cyd --no-reload & tasks=$$!; \
	trap 'kill $$worker $$tasks 2>/dev/null; wait $$worker $$tasks' EXIT; trap 'exit 130' INT TERM; \
	$(VENV)/bin/daphne $(DAPHNE_LIMITS) -e $(DAPHNE_ENDPOINT) config.asgi:application

test: messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(PY) bench/tally.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
