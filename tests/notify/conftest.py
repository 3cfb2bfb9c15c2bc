"""Fixtures for notifications: a real SMTP server, a consultation page, and running the queued tasks."""

import email
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Locale, Page, Site

from home.models import BoardPage, ConsultationPage, HomePage
from tests.servers import free_port


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


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port; the settings send to it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django swaps in locmem
    inbox.port = port
    yield inbox
    controller.stop()


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
