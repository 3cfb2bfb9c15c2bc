"""End to end: a real SMTP server and a real `db_worker --backend cyd` process deliver the notifications."""

import re
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from deliberation import services as live_services
from deliberation.models import Ballot, LiveSession, Round
from home.models import Commitment, CommitmentUpdate, ConsultationPage
from notify import services
from notify.models import Follower, FollowParticipant, Notice, RoundReminder
from tests.notify.conftest import Inbox, html_part, smtp_server, start_db_worker, text_part

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def inbox():
    """A real SMTP server for the whole module (each test writes to its own addresses)."""
    with smtp_server(Inbox()) as received:
        yield received


@pytest.fixture(scope="module")
def worker_process(inbox, django_db_setup, django_db_blocker):
    """`manage.py db_worker --backend cyd` in its own process, on the test database, sending to `inbox`
    (one for the module: each test's rows are flushed after it, the worker stays)."""
    process = start_db_worker(inbox.port)
    yield process
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def worker(worker_process, transactional_db):
    """The worker, checked after each test: no task failed."""
    assert worker_process.poll() is None, Path(worker_process.log).read_text()
    yield worker_process
    failed = DBTaskResult.objects.filter(status="FAILED").values_list("traceback", flat=True)
    assert not failed, f"{list(failed)}\n{Path(worker_process.log).read_text()}"


def wait_for_queue(timeout=15):
    """Wait until the worker has run every task that is ready now."""
    deadline = time.monotonic() + timeout
    while DBTaskResult.objects.ready().filter(backend_name="cyd").exists() or DBTaskResult.objects.running().exists():
        assert time.monotonic() < deadline, "the worker did not empty the queue"
        time.sleep(0.05)


def link_path(message, pattern):
    """The path of the first link in the text part matching `pattern`."""
    return urlsplit(re.search(rf"https?://\S*{pattern}\S*", text_part(message)).group(0)).path


def confirmed(email, language="en", **target):
    """A follower who asked to follow `target` and confirmed (the link itself is tested elsewhere)."""
    follower = services.follow_request(email=email, language=language, target=services.Target(**target))
    return services.confirm(services.confirm_link_value(Follower.objects.get(pk=follower.pk)))


def test_follower_confirms_then_hears_of_a_round_opening_in_welsh(worker, inbox, live, fac_actor, client):
    LiveSession.objects.filter(pk=live.pk).update(title_cy="Trafnidiaeth wledig")
    ideas = live.rounds.get(kind="proposal")
    Round.objects.filter(pk=ideas.pk).update(title_cy="Syniadau")
    assert (
        client.post("/cy/notify/follow/", {"session": live.code, "email": "ann@example.com", "language": "cy"}).status_code == 200
    )
    [confirmation] = inbox.wait("ann@example.com")
    assert confirmation["Content-Language"] == "cy"
    assert client.get(link_path(confirmation, "/notify/follow/confirm/")).status_code == 200

    live_services.round_open(actor=fac_actor, session=live, round_id=ideas.pk)
    _confirmation, message = inbox.wait("ann@example.com", count=2)
    assert message["Content-Language"] == "cy"
    assert re.fullmatch(r"<http://\S+/cy/notify/notifications/\S+/unsubscribe/>", message["List-Unsubscribe"].strip())
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = text_part(message), html_part(message)
    assert "Rownd wedi agor: Syniadau" in text and "Rownd wedi agor: Syniadau" in html
    assert "Ideas" not in text and '<html lang="cy">' in html
    assert f"/cy/s/{live.code}/" in text and "Trafnidiaeth wledig" in text  # the link, and why they got it
    # The unsubscribe header works as a one-click POST from the mail client.
    path = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
    assert client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200
    assert Follower.objects.get().unsubscribed_at is not None


def test_reminder_skips_the_follower_who_already_voted(worker, inbox, live, join):
    voter, _actor = join("Voter")
    voted = confirmed("voted@example.com", session=live)
    FollowParticipant.objects.create(follower=voted, participant=voter)
    waiting = confirmed("waiting@example.com", session=live)
    vote = live.rounds.get(kind="vote")
    now = timezone.now()
    Round.objects.filter(pk=vote.pk).update(state="open", opened_at=now - timedelta(days=3), closes_at=now + timedelta(hours=20))
    Ballot.objects.create(round=vote, participant=voter, ranking=[])

    assert services.tick(now) == [vote.pk]
    assert services.tick(now) == [] and RoundReminder.objects.count() == 1  # once per round, however often it ticks
    [reminder] = inbox.wait("waiting@example.com")
    assert "Closing soon: Decide" in reminder["Subject"] and "you have not taken part yet" in text_part(reminder)
    wait_for_queue()
    assert inbox.to("voted@example.com") == []
    assert list(Notice.objects.values_list("follower", flat=True)) == [waiting.pk]


def test_two_events_in_a_day_make_one_digest(worker, inbox, live, fac_actor, consultation):
    english, _welsh = consultation
    english.commitments.add(Commitment(title="Fund a car scheme"))
    english.save_revision().publish()
    LiveSession.objects.filter(pk=live.pk).update(consultation=english)
    live.refresh_from_db()
    follower = confirmed("cai@example.com", consultation=english)
    page = ConsultationPage.objects.get(pk=english.pk)
    commitment = page.commitments.get()

    live_services.round_open(actor=fac_actor, session=live, round_id=live.rounds.get(kind="proposal").pk)
    CommitmentUpdate.objects.create(commitment=commitment, date=date(2026, 3, 1), text="The first bus runs in May.")
    page.save_revision().publish()
    [digest] = inbox.wait("cai@example.com")
    text = text_part(digest)
    assert "Round opened: Ideas" in text and "The first bus runs in May." in text
    assert digest["Subject"] == "Cyd: 2 updates on what you follow"
    assert "You get this because you follow the consultation “Rural transport” on Cyd." in text

    # A third thing the same day waits for the next day's digest.
    CommitmentUpdate.objects.create(commitment=commitment, date=date(2026, 3, 2), text="Timetable agreed.")
    page.save_revision().publish()
    deadline = time.monotonic() + 10
    while not Notice.objects.filter(follower=follower, update__text="Timetable agreed.").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    wait_for_queue()
    follower.refresh_from_db()
    assert follower.digest_due_at >= follower.last_mail_at + timedelta(hours=24)
    time.sleep(2.5)  # past the gather time (tests/notify/worker_settings.py): still nothing more
    assert len(inbox.to("cai@example.com")) == 1
