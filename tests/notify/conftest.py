"""Fixtures for notifications: a real SMTP server, a consultation page, and running the queued tasks."""

import email
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Locale, Page, Site

from home.models import BoardPage, ConsultationPage, HomePage
from tests.servers import ROOT, free_port


class Inbox:
    """What the SMTP server received, as parsed e-mails."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        """Keep each message (aiosmtpd calls this for every DATA)."""
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address):
        """The messages sent to an address."""
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def wait(self, address, count=1, timeout=15):
        """Wait until `count` messages to `address` have arrived; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{len(self.to(address))} messages to {address}, expected {count}")


@contextmanager
def smtp_server(handler):
    """A real SMTP server (aiosmtpd) on a free port, handled by `handler` (an Inbox); `handler.port` is its port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


def send_mail_to(settings, server):
    """Point this process's settings at `server` (pytest-django swaps in the locmem backend)."""
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port; the settings send to it."""
    with smtp_server(Inbox()) as inbox:
        send_mail_to(settings, inbox)
        yield inbox


def database_url():
    """The test database as a DATABASE_URL, so a worker process shares it."""
    from django.db import connection

    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    return f"postgres://{conf['USER']}:{conf['PASSWORD']}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def start_db_worker(smtp_port):
    """A real `manage.py db_worker --backend cyd` process on the test database, sending to `smtp_port`; its output
    goes to the file `process.log`. The caller stops it."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.notify.worker_settings",
        DATABASE_URL=database_url(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        PYTHONUNBUFFERED="1",
    )
    log = tempfile.NamedTemporaryFile(prefix="db-worker-", suffix=".log", delete=False)
    command = ["manage.py", "db_worker", "--backend", "cyd", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
    process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log.name
    return process


def text_part(message):
    """The plain-text part of a message."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message):
    """The HTML part of a message."""
    return message.get_body(preferencelist=("html",)).get_content()


def run_tasks():
    """Run every ready task of the "cyd" queue, as the worker does (its own run_task); return how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="cyd",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().filter(backend_name="cyd").first()) is not None:
        result.claim("test")
        worker.run_task(result)
        result.refresh_from_db()
        assert result.status == "SUCCESSFUL", result.traceback
        ran += 1
    return ran


@pytest.fixture
def consultation(db):
    """A published English consultation page and its Welsh translation, under a board under the home page."""
    Locale.objects.get_or_create(language_code="en")
    cy = Locale.objects.get_or_create(language_code="cy")[0]
    plain = ContentType.objects.get_for_model(Page)
    Page.objects.filter(depth=2, content_type=plain).delete()
    # A transactional test's flush removed the tree migrations made: start it again.
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = HomePage(title="Cyd", slug="home")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    board = BoardPage(title="North Wales", slug="north-wales", area="Gwynedd")
    home.add_child(instance=board)
    board.save_revision().publish()
    page = ConsultationPage(title="Rural transport", slug="rural-transport", question="How should we travel?")
    board.add_child(instance=page)
    page.save_revision().publish()
    for parent in (home, board):
        parent.copy_for_translation(cy).save_revision().publish()
    welsh = page.copy_for_translation(cy).specific
    welsh.title = "Trafnidiaeth wledig"
    welsh.save_revision().publish()
    Site.clear_site_root_paths_cache()
    return ConsultationPage.objects.get(pk=page.pk), ConsultationPage.objects.get(pk=welsh.pk)


@pytest.fixture(autouse=True)
def _notify_urls(settings):
    """The site's URLs with notify's (tests/notify/urls.py)."""
    settings.ROOT_URLCONF = "tests.notify.urls"
