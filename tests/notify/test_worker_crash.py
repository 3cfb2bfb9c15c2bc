"""A `db_worker` killed (SIGKILL) while it sends a digest: a real SMTP server, real worker processes, and each
follower still gets exactly one e-mail (docs/notifications.md, "A worker that dies")."""

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from home.models import Commitment, ConsultationPage
from notify import services
from notify.models import Notice
from tests.notify.conftest import Inbox, smtp_server, start_db_worker
from tests.notify.test_notifications import confirmed, wait_for_queue

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESSES = ["ann@example.com", "bryn@example.com", "cai@example.com"]


class HoldingInbox(Inbox):
    """An SMTP server that can hold the next message unanswered (the sender waits inside its send), then refuse it."""

    def __init__(self):
        super().__init__()
        self.hold_next = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held_for = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        """Hold the message when asked (never accepting it), otherwise keep it."""
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.held_for = list(envelope.rcpt_tos)
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Not accepted"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def inbox():
    """The holding SMTP server, for this test only."""
    with smtp_server(HoldingInbox()) as received:
        yield received
        received.release.set()


@pytest.fixture
def start_worker(inbox):
    """Start `manage.py db_worker --backend cyd` processes on the test database; each is stopped after the test."""
    started = []

    def start():
        process = start_db_worker(inbox.port)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def wait_until(condition, timeout=30, every=0.1, then=None):
    """Wait until `condition()` is true (calling `then()` between tries)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if then is not None:
            then()
        time.sleep(every)


def test_a_worker_killed_inside_the_send_loses_no_message_and_sends_none_twice(consultation, inbox, start_worker, settings):
    english, _welsh = consultation
    followers = [confirmed(address, consultation=english) for address in ADDRESSES]
    english.commitments.add(Commitment(title="Fund a car scheme"))
    english.save_revision().publish()  # queues announce_items: the worker hands out a notice to each, then digests
    assert ConsultationPage.objects.get(pk=english.pk).commitments.count() == 1

    inbox.hold_next.set()
    first = start_worker()
    wait_until(inbox.holding.is_set)  # the worker is inside the SMTP conversation of one digest, not yet accepted
    [held] = inbox.held_for
    held_follower = next(f for f in followers if f.email == held)
    digest_tasks = DBTaskResult.objects.filter(task_path="notify.tasks.send_digest")
    [running] = digest_tasks.filter(status="RUNNING")
    assert running.args_kwargs["args"] == [held_follower.pk]
    assert services.requeue_abandoned() == 0  # a worker still at it keeps its task

    first.kill()  # SIGKILL: no clean-up runs in the worker
    first.wait(timeout=10)
    inbox.release.set()  # the message it was sending is refused: it never reached anyone
    assert inbox.to(held) == []
    assert digest_tasks.get(pk=running.pk).status == "RUNNING"  # the queue alone would leave it so for ever
    assert not Notice.objects.filter(follower=held_follower, sent_at__isnull=False).exists()

    start_worker()
    settings.CYD_NOTIFY_ABANDONED_SECONDS = 1  # cyd_worker's tick, which runs every second, finds it abandoned
    wait_until(lambda: all(inbox.to(address) for address in ADDRESSES), then=services.tick)
    wait_for_queue(timeout=30)
    time.sleep(1)
    for address in ADDRESSES:
        assert len(inbox.to(address)) == 1, address
    assert Notice.objects.filter(sent_at__isnull=True).count() == 0 and Notice.objects.count() == 3
    failed = digest_tasks.get(pk=running.pk)
    assert failed.status == "FAILED" and "queued again" in failed.traceback

    # Killed after the digest was recorded as sent (before the queue recorded the task's success): run again,
    # it sends nothing.
    [done] = [t for t in digest_tasks.filter(status="SUCCESSFUL") if t.args_kwargs["args"] == [held_follower.pk]]
    digest_tasks.filter(pk=done.pk).update(status="RUNNING", started_at=timezone.now() - timedelta(minutes=10))
    assert services.requeue_abandoned() == 1
    wait_for_queue(timeout=30)
    time.sleep(1)
    again = [t for t in digest_tasks.filter(status="SUCCESSFUL") if t.args_kwargs["args"] == [held_follower.pk]]
    assert [t.return_value for t in again] == [0]  # the task queued again found the digest sent: nothing to send
    for address in ADDRESSES:
        assert len(inbox.to(address)) == 1, address
    assert set(DBTaskResult.objects.filter(status="FAILED").values_list("pk", flat=True)) == {running.pk, done.pk}
