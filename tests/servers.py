"""Real server processes for end-to-end tests: a fresh database, migrate, demo data, daphne on a free port."""

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAPHNE = str(Path(sys.executable).with_name("daphne"))
# As in the Makefile: WebSocket messages over the protocol's limit (MAX_FRAME_BYTES) are refused by daphne itself.
DAPHNE_LIMITS = ["--websocket-max-message-size", "8388608", "--websocket-max-frame-size", "16384"]  # as the Makefile


def free_port():
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(suffix):
    """A DATABASE_URL for a new, empty database of the configured kind (SQLite file or PostgreSQL)."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        parsed = urllib.parse.urlparse(base)
        name = f"{parsed.path.lstrip('/') or 'cyd'}_{suffix}"
        admin = parsed._replace(path="/postgres").geturl()
        for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", admin, "-q", "-c", sql], check=True, capture_output=True)
        return parsed._replace(path=f"/{name}").geturl()
    folder = tempfile.mkdtemp(prefix=f"cyd-{suffix}-")
    return f"sqlite:///{folder}/db.sqlite3"


def server_env(database_url, **extra):
    """The environment of a server process: test settings, this machine's hosts, the given database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env, *args, input_text=None):
    """Run manage.py in a subprocess; return its stdout, failing loudly on error."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=input_text, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(env, demo=True):
    """Migrate a fresh database and load the demo content."""
    manage(env, "migrate", "--no-input", "-v0")
    if demo:
        manage(env, "load_demo")


@contextmanager
def daphne(env, port=None, worker=True, ready=(200,)):
    """Run daphne (and, as `make run` does, the cyd_worker beside it) until the block ends; yields the base URL."""
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="daphne-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [DAPHNE, *DAPHNE_LIMITS, "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=1024", "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The worker closes rounds whose timer runs out, so timed rounds behave as in production.
    helper = (
        subprocess.Popen([sys.executable, "manage.py", "cyd_worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        if worker
        else None
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log.name, ready=ready)
        yield base, process
    finally:
        for running in (process, helper):
            if running is not None and running.poll() is None:
                running.terminate()
                try:
                    running.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    running.kill()


def wait_healthy(base, process, log_path, timeout=60, ready=(200,)):
    """Wait for /healthz to answer 200 (or a status in `ready`: 503 while a dependency is down on purpose)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited:\n{Path(log_path).read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status in ready:
                    return
        except urllib.error.HTTPError as error:
            if error.code in ready:
                return
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"daphne did not become healthy:\n{Path(log_path).read_text()}")


class Browserless:
    """An HTTP client with cookies and CSRF handling, standing in for one person's browser."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name):
        """A cookie's value, or None."""
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, path):
        """GET a page; return (status, final URL, text)."""
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def post(self, path, fields):
        """POST a form with the CSRF token from a prior GET; return (status, final URL, text)."""
        if self.cookie("csrftoken") is None:
            self.get(path)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.cookie("csrftoken")}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def login(self, username, password):
        """Sign in through the public sign-in form (facilitators need no Wagtail admin access)."""
        self.get("/en/accounts/login/")
        status, url, _text = self.post("/en/accounts/login/", {"username": username, "password": password})
        assert status == 200 and "/login/" not in url, f"login failed for {username}"

    def join(self, code, name, lang="en"):
        """Join a session through its name form, as a walk-in participant."""
        path = f"/{lang}/s/{code}/"
        self.get(path)
        status, _url, text = self.post(path, {"name": name})
        assert status == 200, text[:500]

    def socket(self, code, **kwargs):
        """A real WebSocket to the session, carrying this browser's cookies and the site's Origin."""
        from websockets.sync.client import connect

        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        uri = self.base.replace("http://", "ws://") + f"/ws/sessions/{code}/"
        ws = connect(uri, additional_headers={"Origin": self.base, "Cookie": cookies}, open_timeout=10, **kwargs)
        return LiveSocket(ws.__enter__())


class LiveSocket:
    """The protocol over a real socket: send with a ref and wait for its reply; collect events."""

    def __init__(self, ws):
        self.ws = ws
        self.n = 0
        self.events = []
        self.state = self.next_message()
        assert self.state["type"] == "state", self.state
        self.seq = self.state["seq"]

    def next_message(self, timeout=10):
        """The next message, keeping events (and their seq) as they pass."""
        message = json.loads(self.ws.recv(timeout=timeout))
        if "seq" in message and message["type"] != "state":
            self.events.append(message)
            self.seq = max(self.seq, message["seq"])
        return message

    def send(self, kind, payload=None, ref=None, **top):
        """Send a message; return its ack or error."""
        self.n += 1
        ref = ref or f"m{self.n}-{time.monotonic_ns()}"
        self.ws.send(json.dumps({"type": kind, "ref": ref, "payload": payload or {}, **top}))
        while True:
            message = self.next_message()
            if message["type"] in {"ack", "error"} and message.get("ref") == ref:
                return message

    def ok(self, kind, payload=None, **top):
        """Send a message that must be acknowledged; return the ack payload."""
        reply = self.send(kind, payload, **top)
        assert reply["type"] == "ack", reply
        return reply["payload"]

    def wait_event(self, kind, timeout=10, **match):
        """Wait until an event of this type (whose payload matches) has arrived."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["type"] == kind and all(_dig(event["payload"], k) == v for k, v in match.items()):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind} {match} among {[e['type'] for e in self.events]}")
            try:
                self.next_message(timeout=remaining)
            except TimeoutError:
                continue

    def close(self):
        """Close the socket."""
        self.ws.close()


def _dig(payload, dotted):
    """payload['a']['b'] for the key 'a__b'."""
    for part in dotted.split("__"):
        payload = payload.get(part) if isinstance(payload, dict) else None
    return payload


NEW_SESSION = """
from django.contrib.auth import get_user_model
from deliberation.models import LiveSession, Round
from home.models import ConsultationPage
page = ConsultationPage.objects.filter(locale__language_code="en").first()
session = LiveSession.objects.create(title="{title}", code="{code}", consultation=page)
session.facilitators.add(get_user_model().objects.get(username="facilitator"))
for n, (kind, title) in enumerate([("proposal", "Ideas"), ("comment", "Discuss"), ("vote", "Decide")], 1):
    Round.objects.create(session=session, kind=kind, title=title, position=n, method="irv")
print(",".join(str(r.pk) for r in session.rounds.order_by("position")))
"""


def new_session(env, code, title="End-to-end session"):
    """Create a session (proposal, comment, vote rounds) facilitated by the demo facilitator; return round ids."""
    out = manage(env, "shell", "-c", NEW_SESSION.format(code=code, title=title))
    return [int(x) for x in out.strip().splitlines()[-1].split(",")]
