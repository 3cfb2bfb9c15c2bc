"""The demo shows what is coming (issue 12): two boards each have a session scheduled a few days ahead."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deliberation.demo import load_upcoming_sessions
from deliberation.models import LiveSession
from home.demo import load_demo

pytestmark = pytest.mark.django_db

BOARD_PAGES = [
    ("/en/north-wales/", "NEUADD", "Denbigh town hall: which transport pilot?"),
    ("/cy/gogledd-cymru/", "NEUADD", "Neuadd y dref Dinbych: pa gynllun peilot trafnidiaeth?"),
    ("/en/cwm-taf-and-bridgend/", "CWMTAF", "Pontypridd: meeting your neighbours"),
    ("/cy/cwm-taf-a-phen-y-bont-ar-ogwr/", "CWMTAF", "Pontypridd: cwrdd â’ch cymdogion"),
]


@pytest.mark.parametrize(("url", "code", "title"), BOARD_PAGES)
def test_visitor_sees_the_demo_boards_upcoming_session_in_their_language(client, demo, url, code, title):
    session = LiveSession.objects.get(code=code)
    assert session.status == "scheduled"
    assert timedelta(days=2) < session.starts_at - timezone.now() < timedelta(days=8)
    html = client.get(url).content.decode()
    assert title in html and f"/s/{code}/calendar.ics" in html
    other = "CWMTAF" if code == "NEUADD" else "NEUADD"
    assert other not in html  # each board shows its own


def test_demo_upcoming_sessions_are_loaded_once_and_moved_ahead_when_their_time_has_passed(demo):
    before = list(LiveSession.objects.order_by("pk").values_list("pk", "code", "starts_at"))
    load_demo(show_credentials=False)
    assert list(LiveSession.objects.order_by("pk").values_list("pk", "code", "starts_at")) == before
    # A demo loaded long ago: the start has passed, so loading again moves it a few days ahead.
    LiveSession.objects.filter(code="CWMTAF").update(starts_at=timezone.now() - timedelta(days=30))
    load_upcoming_sessions([(None, None), (None, None)])
    assert LiveSession.objects.get(code="CWMTAF").starts_at > timezone.now() + timedelta(days=2)
