"""Rounds on a schedule: round.schedule and its validation, long timers, and the clock that opens, closes,
counts and publishes on time (scheduler.tick, and the real `cyd_worker` process)."""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from deliberation import protocol, rules, scheduler, selectors, services
from deliberation.errors import ServiceError
from deliberation.models import Event, LiveSession, Round
from deliberation.services.rounds import round_schedule
from tests.conftest import rounds_of
from tests.servers import ROOT, fresh_database, manage, new_session, prepare, server_env

UK = ZoneInfo("Europe/London")


def iso(delta):
    """A time `delta` from now, as a payload carries it."""
    return (timezone.now() + delta).isoformat()


def schedule(actor, live, round_id, **payload):
    """Send round.schedule as the socket does; return the ack."""
    return protocol.dispatch(actor, live, "round.schedule", {"round": round_id} | payload, "s")


def snapshot(round_id):
    """What a refused schedule must leave alone."""
    r = Round.objects.get(pk=round_id)
    return (r.state, r.opens_at, r.closes_at, r.auto_close, r.auto_publish, Event.objects.count())


# --- round.schedule -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_facilitator_can_schedule_a_draft_round_and_everyone_is_told(live, fac_actor, join):
    ideas = rounds_of(live)["proposal"]
    _p, citizen = join("Alys")
    assert ideas.pk not in [r["id"] for r in selectors.session_state(live, citizen)["payload"]["rounds"]]  # private draft
    ack = schedule(fac_actor, live, ideas.pk, opens_at=iso(timedelta(days=1)), closes_at=iso(timedelta(days=15)))
    ideas.refresh_from_db()
    assert ack["opens_at"] == ideas.opens_at.isoformat() and ack["state"] == "draft"
    assert ideas.auto_close is True and ideas.auto_publish is False
    event = Event.objects.get(session=live, type="round.scheduled")
    assert event.audience == Event.Audience.ALL and event.payload["round"]["opens_at"] == ack["opens_at"]
    seen = {r["id"]: r for r in selectors.session_state(live, citizen)["payload"]["rounds"]}
    assert seen[ideas.pk]["opens_at"] == ack["opens_at"] and seen[ideas.pk]["state"] == "draft"
    # Taking the schedule back makes the draft private again (and pages are told, so they drop it).
    schedule(fac_actor, live, ideas.pk, opens_at="", closes_at="")
    ideas.refresh_from_db()
    assert ideas.opens_at is None and ideas.closes_at is None and ideas.auto_close is False
    assert Event.objects.filter(type="round.scheduled").last().audience == Event.Audience.ALL
    assert ideas.pk not in [r["id"] for r in selectors.session_state(live, citizen)["payload"]["rounds"]]


@pytest.mark.django_db
def test_facilitator_can_schedule_in_uk_wall_clock_time(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    when = (timezone.now() + timedelta(days=30)).astimezone(UK).replace(hour=10, minute=0, second=0, microsecond=0)
    schedule(fac_actor, live, ideas.pk, opens_at=when.strftime("%Y-%m-%dT%H:%M"), local=True)
    ideas.refresh_from_db()
    assert ideas.opens_at.astimezone(UK).strftime("%H:%M") == "10:00"


@pytest.mark.django_db
def test_facilitator_can_schedule_without_javascript(client, live, facilitator):
    client.force_login(facilitator)
    ideas = rounds_of(live)["proposal"]
    when = (timezone.now() + timedelta(days=3)).astimezone(UK)
    fields = {
        "action": "round.schedule",
        "round": ideas.pk,
        "opens_at": when.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (when + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "local": "1",
        "next": "/",
    }
    client.post(f"/en/s/{live.code}/act/", fields)
    ideas.refresh_from_db()
    assert ideas.opens_at.astimezone(UK).strftime("%Y-%m-%dT%H:%M") == fields["opens_at"]
    assert ideas.closes_at - ideas.opens_at == timedelta(days=14) and ideas.auto_close


@pytest.mark.django_db
def test_facilitator_can_set_a_closing_time_weeks_ahead_on_an_open_round(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=ideas.pk)
    schedule(fac_actor, live, ideas.pk, closes_at=iso(timedelta(weeks=12)), auto_publish=False)
    ideas.refresh_from_db()
    assert ideas.state == "open" and ideas.auto_close and ideas.closes_at > timezone.now() + timedelta(weeks=11)
    # Its opening time, unchanged, may be sent back as it is (the console's form does).
    schedule(fac_actor, live, ideas.pk, opens_at="", closes_at=iso(timedelta(weeks=13)))


@pytest.mark.django_db
def test_participant_cannot_schedule_a_round(live, join):
    ideas = rounds_of(live)["proposal"]
    _p, citizen = join("Alys")
    before = snapshot(ideas.pk)
    with pytest.raises(ServiceError) as refused:
        schedule(citizen, live, ideas.pk, opens_at=iso(timedelta(days=1)))
    assert refused.value.code == "forbidden"
    assert snapshot(ideas.pk) == before


BAD = [
    ({"opens_at": "+2d", "closes_at": "+1d"}, "must close after it opens"),
    ({"closes_at": "-1m"}, "closing time has passed"),
    ({"opens_at": "-1m"}, "open the round now instead"),
    ({"opens_at": "+27w"}, "26 weeks ahead"),
    ({"closes_at": "+26w1d"}, "26 weeks ahead"),
    ({"opens_at": "3 March 10am"}, "year-month-day"),
    ({"opens_at": "2026-02-30T10:00+00:00"}, "no such date"),
    ({"opens_at": "2030-03-03T10:00"}, "time zone"),  # naive, and not marked local
    ({"opens_at": "２０３０-03-03T10:00+00:00"}, "year-month-day"),  # full-width digits
    ({"opens_at": "2030-03-03T10:00\u221201:00"}, "year-month-day"),  # a minus sign, not a hyphen
    ({"opens_at": "2030-03-03T10:00+00:00\u202e"}, "year-month-day"),  # a bidirectional override
    ({"opens_at": "2030-03-03T10:00" + "0" * 60}, "year-month-day"),
]


def _times(payload):
    """Turn "+2d" / "-1m" / "+26w1d" into ISO times from now."""
    out = {}
    for name, value in payload.items():
        if value[:1] in "+-" and value[1:2].isdigit():
            sign = -1 if value[0] == "-" else 1
            weeks, _w, rest = value[1:].partition("w") if "w" in value else ("0", "", value[1:])
            days = int(rest[:-1]) if rest.endswith("d") else 0
            minutes = int(rest[:-1]) if rest.endswith("m") else 0
            out[name] = iso(sign * timedelta(weeks=int(weeks), days=days, minutes=minutes))
        else:
            out[name] = value
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "says"), BAD)
def test_facilitator_cannot_schedule_nonsense_and_nothing_changes(live, fac_actor, payload, says):
    ideas = rounds_of(live)["proposal"]
    before = snapshot(ideas.pk)
    with pytest.raises(ServiceError) as refused:
        schedule(fac_actor, live, ideas.pk, **_times(payload))
    assert refused.value.code == "invalid" and says in refused.value.message, refused.value.message
    assert snapshot(ideas.pk) == before


@pytest.mark.django_db
def test_facilitator_cannot_schedule_a_time_the_uk_clocks_skip(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    # The last Sunday of March at 01:30 does not exist in the UK; use next year's, refused before the 26-week rule.
    year = timezone.now().year + 1
    sunday = max(d for d in range(25, 32) if datetime(year, 3, d).weekday() == 6)
    with pytest.raises(ServiceError) as refused:
        round_schedule(actor=fac_actor, session=live, round_id=ideas.pk, opens_at=f"{year}-03-{sunday}T01:30", local=True)
    assert "clocks go forward" in refused.value.message


@pytest.mark.django_db
def test_facilitator_cannot_schedule_with_a_nul_or_wrong_types(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    before = snapshot(ideas.pk)
    for payload in ({"opens_at": "2030-03-03T10:00\x00"}, {"opens_at": 20300303}, {"auto_publish": "yes"}):
        with pytest.raises(ServiceError) as refused:
            schedule(fac_actor, live, ideas.pk, **payload)
        assert refused.value.code == "invalid"
    assert snapshot(ideas.pk) == before


@pytest.mark.django_db
def test_facilitator_cannot_change_when_an_open_round_opened(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=ideas.pk)
    before = snapshot(ideas.pk)
    with pytest.raises(ServiceError) as refused:
        schedule(fac_actor, live, ideas.pk, opens_at=iso(timedelta(days=1)))
    assert "already open" in refused.value.message
    assert snapshot(ideas.pk) == before


@pytest.mark.django_db
def test_facilitator_cannot_schedule_in_an_ended_session_or_a_closed_round(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=ideas.pk)
    services.round_close(actor=fac_actor, session=live, round_id=ideas.pk)
    with pytest.raises(ServiceError) as closed:
        schedule(fac_actor, live, ideas.pk, closes_at=iso(timedelta(days=1)))
    assert closed.value.code == "wrong_state"
    services.session_end(actor=fac_actor, session=live)
    discuss = rounds_of(live)["comment"]
    before = snapshot(discuss.pk)
    with pytest.raises(ServiceError) as ended:
        schedule(fac_actor, live, discuss.pk, opens_at=iso(timedelta(days=1)))
    assert ended.value.code == "session_ended"
    assert snapshot(discuss.pk) == before


# --- long timers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_facilitator_can_open_a_round_for_weeks_and_not_longer_than_26(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    with pytest.raises(ServiceError) as refused:
        services.round_open(actor=fac_actor, session=live, round_id=ideas.pk, minutes=26 * 7 * 24 * 60 + 1)
    assert "26 weeks" in refused.value.message
    assert Round.objects.get(pk=ideas.pk).state == "draft"
    services.round_open(actor=fac_actor, session=live, round_id=ideas.pk, minutes=14 * 24 * 60, auto_close=True)
    ideas.refresh_from_db()
    assert ideas.closes_at - ideas.opened_at == timedelta(days=14)


@pytest.mark.django_db
def test_facilitator_opening_a_scheduled_round_keeps_its_closing_time(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    schedule(fac_actor, live, ideas.pk, opens_at=iso(timedelta(days=1)), closes_at=iso(timedelta(days=8)))
    services.round_open(actor=fac_actor, session=live, round_id=ideas.pk)  # early, by hand
    ideas.refresh_from_db()
    assert ideas.state == "open" and ideas.auto_close and ideas.closes_at > timezone.now() + timedelta(days=7)


# --- the clock ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_system_opens_a_scheduled_round_on_time_and_closes_it_on_time(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    schedule(fac_actor, live, ideas.pk, opens_at=iso(timedelta(hours=1)), closes_at=iso(timedelta(days=14)))
    assert scheduler.tick(now=timezone.now() + timedelta(minutes=59)) == {"closed": [], "opened": [], "published": []}
    assert scheduler.tick(now=timezone.now() + timedelta(hours=2))["opened"] == [ideas.pk]
    ideas.refresh_from_db()
    assert ideas.state == "open" and ideas.auto_close
    opened = Event.objects.get(session=live, type="round.opened")
    assert opened.payload["by"] == "schedule" and opened.actor_user is None and opened.audience == "all"
    assert LiveSession.objects.get(pk=live.pk).status == "live"
    assert scheduler.tick(now=timezone.now() + timedelta(days=13))["closed"] == []
    assert scheduler.tick(now=timezone.now() + timedelta(days=15))["closed"] == [ideas.pk]
    assert Round.objects.get(pk=ideas.pk).state == "closed"
    assert scheduler.tick(now=timezone.now() + timedelta(days=16)) == {"closed": [], "opened": [], "published": []}


def _scheduled_vote(live, fac_actor, join, proposal_round, auto_publish):
    """Ideas collected and closed, a ballot's worth of proposals; the vote scheduled for an hour, open a week."""
    proposal_round(close=True)
    vote = rounds_of(live)["vote"]
    schedule(
        fac_actor,
        live,
        vote.pk,
        opens_at=iso(timedelta(hours=1)),
        closes_at=iso(timedelta(days=7)),
        auto_publish=auto_publish,
    )
    return vote


@pytest.mark.django_db
def test_system_counts_and_publishes_a_vote_when_asked(live, fac_actor, join, proposal_round):
    vote = _scheduled_vote(live, fac_actor, join, proposal_round, auto_publish=True)
    assert scheduler.tick(now=timezone.now() + timedelta(hours=2))["opened"] == [vote.pk]
    vote.refresh_from_db()
    _p, voter = join("Voter")
    services.ballot_cast(actor=voter, session=live, round_id=vote.pk, ranking=[p.pk for p in vote.ballot_proposals.all()])
    done = scheduler.tick(now=timezone.now() + timedelta(days=8))
    assert done == {"closed": [vote.pk], "opened": [], "published": [vote.pk]}
    vote.refresh_from_db()
    assert vote.state == "published" and vote.result["outcome"] == "elected"
    types = list(Event.objects.filter(session=live).order_by("seq").values_list("type", flat=True))
    assert types[-3:] == ["round.closed", "round.counted", "round.published"]


@pytest.mark.django_db
def test_system_leaves_a_vote_for_review_without_auto_publish(live, fac_actor, join, proposal_round):
    vote = _scheduled_vote(live, fac_actor, join, proposal_round, auto_publish=False)
    scheduler.tick(now=timezone.now() + timedelta(hours=2))
    done = scheduler.tick(now=timezone.now() + timedelta(days=8))
    assert done["closed"] == [vote.pk] and done["published"] == []
    assert Round.objects.get(pk=vote.pk).state == "closed"
    assert Event.objects.filter(session=live, type="round.counted").count() == 1


@pytest.mark.django_db
def test_system_catches_up_once_after_being_down(live, fac_actor, join, proposal_round):
    vote = _scheduled_vote(live, fac_actor, join, proposal_round, auto_publish=True)
    # The worker was down for the whole week: its next tick opens, closes, counts and publishes, once.
    done = scheduler.tick(now=timezone.now() + timedelta(days=10))
    assert done == {"closed": [vote.pk], "opened": [vote.pk], "published": [vote.pk]}
    assert scheduler.tick(now=timezone.now() + timedelta(days=11)) == {"closed": [], "opened": [], "published": []}
    for kind in ("round.opened", "round.closed", "round.counted", "round.published"):
        assert (
            Event.objects.filter(session=live, type=kind, seq__gt=0)
            .filter(**({"payload__round": vote.pk} if kind == "round.counted" else {"payload__round__id": vote.pk}))
            .count()
            == 1
        ), kind


@pytest.mark.django_db
def test_system_opens_a_scheduled_round_when_the_round_before_closes(live, fac_actor):
    r = rounds_of(live)
    schedule(fac_actor, live, r["proposal"].pk, opens_at=iso(timedelta(hours=1)), closes_at=iso(timedelta(hours=3)))
    schedule(fac_actor, live, r["comment"].pk, opens_at=iso(timedelta(hours=2)))
    assert scheduler.tick(now=timezone.now() + timedelta(hours=2, minutes=30))["opened"] == [r["proposal"].pk]
    assert Round.objects.get(pk=r["comment"].pk).state == "draft"  # waits: one open round at a time
    done = scheduler.tick(now=timezone.now() + timedelta(hours=3, minutes=1))
    assert done["closed"] == [r["proposal"].pk] and done["opened"] == [r["comment"].pk]


@pytest.mark.django_db
def test_system_does_not_open_rounds_of_an_ended_session(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    schedule(fac_actor, live, ideas.pk, opens_at=iso(timedelta(hours=1)))
    services.session_end(actor=fac_actor, session=live)
    assert scheduler.tick(now=timezone.now() + timedelta(hours=2))["opened"] == []
    assert Round.objects.get(pk=ideas.pk).state == "draft"


@pytest.mark.django_db(transaction=True)
def test_two_racing_clocks_open_a_scheduled_round_once(live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    schedule(fac_actor, live, ideas.pk, opens_at=iso(timedelta(hours=1)))
    later = timezone.now() + timedelta(hours=2)
    start = threading.Barrier(2)
    results = []

    def clock():
        start.wait()
        try:
            results.append(scheduler.open_due_rounds(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [[], [ideas.pk]]
    assert Event.objects.filter(session=live, type="round.opened").count() == 1


def test_system_is_allowed_to_schedule_nothing_new():
    """The worker opens through RUN_ROUNDS, the permission it already had; no permission was added."""
    assert rules.RUN_ROUNDS in rules.ALL_PERMISSIONS


# --- the worker process ---------------------------------------------------------------------------

SCHEDULE_SOON = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from deliberation.models import LiveSession
from deliberation.rules import Actor
from deliberation.services.rounds import round_schedule
fac = Actor(user=get_user_model().objects.get(username="facilitator"))
now = timezone.now()
round_schedule(actor=fac, session=LiveSession.objects.get(code="SCH3DL"), round_id={pk},
               opens_at=now + timedelta(seconds=1), closes_at=now + timedelta(seconds=4))
"""
STATE = (
    "from deliberation.models import Round, Event; r = Round.objects.get(pk={pk}); "
    "print(r.state, Event.objects.filter(type='round.opened', payload__by='schedule').count(), "
    "Event.objects.filter(type='round.closed', payload__by='timer').count())"
)


def test_system_opens_and_closes_a_scheduled_round_through_the_worker_process():
    """The real `cyd_worker` command, with nobody connected: the round opens, then closes, by itself, once each."""
    env = server_env(fresh_database("schedule"))
    prepare(env, demo=False)
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; get_user_model().objects.create_user('facilitator', password='x')",
    )
    ideas, _discuss, _decide = new_session(env, "SCH3DL")
    log = Path(tempfile.mkstemp(prefix="cyd-schedule-", suffix=".log")[1])
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "cyd_worker"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        manage(env, "shell", "-c", SCHEDULE_SOON.format(pk=ideas))
        deadline = time.monotonic() + 40
        state = []
        while time.monotonic() < deadline:
            state = manage(env, "shell", "-c", STATE.format(pk=ideas)).strip().splitlines()[-1].split()
            if state[0] == "closed":
                break
            time.sleep(0.5)
        assert state == ["closed", "1", "1"], log.read_text()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0, log.read_text()
        text = log.read_text()
        assert f"Round {ideas} opened on schedule" in text and f"Round {ideas} closed automatically" in text
    finally:
        if worker.poll() is None:
            worker.kill()
        if os.environ.get("KEEP_LOGS") is None:
            log.unlink(missing_ok=True)


# --- the Wagtail editor ---------------------------------------------------------------------------

ADMIN_ADD = "/admin/snippets/deliberation/livesession/add/"


@pytest.fixture
def session_editor(make_user):
    """A non-superuser with admin access and the live-session model permissions."""
    from django.contrib.auth.models import Permission

    user = make_user("session-editor")
    codenames = ["access_admin", "add_livesession", "change_livesession", "view_livesession"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def _admin_round(opens, closes, auto_publish=""):
    """One vote round of the admin's inline formset, scheduled."""
    fields = {"kind": "vote", "title": "Decide", "prompt": "", "max_per_participant": "", "method": "irv", "seats": "1"}
    fields |= {"opens_at": opens.astimezone(UK).strftime("%Y-%m-%d %H:%M") if opens else ""}
    fields |= {"closes_at": closes.astimezone(UK).strftime("%Y-%m-%d %H:%M") if closes else ""}
    return fields | ({"auto_publish": "on"} if auto_publish else {})


def _admin_post(client, title, round_):
    data = {
        "title": title,
        "description": "",
        "consultation": "",
        "language": "en",
        "starts_at": "",
        "rounds-TOTAL_FORMS": "1",
        "rounds-INITIAL_FORMS": "0",
        "rounds-MIN_NUM_FORMS": "0",
        "rounds-MAX_NUM_FORMS": "1000",
    }
    data |= {f"rounds-0-{key}": value for key, value in round_.items()} | {"rounds-0-id": ""}
    return client.post(ADMIN_ADD, data)


@pytest.mark.django_db
def test_editor_can_schedule_a_draft_round_in_wagtail(client, session_editor):
    client.force_login(session_editor)
    page = client.get(ADMIN_ADD).content.decode()
    assert "opens_at" in page and "auto_publish" in page
    opens = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = _admin_post(client, "Scheduled vote", _admin_round(opens, opens + timedelta(days=7), auto_publish=True))
    assert response.status_code == 302, response.content.decode()[:2000]
    vote = Round.objects.get(session__title="Scheduled vote")
    assert vote.opens_at == opens and vote.closes_at == opens + timedelta(days=7) and vote.auto_publish


@pytest.mark.django_db
def test_editor_cannot_schedule_a_round_to_close_before_it_opens_in_wagtail(client, session_editor):
    client.force_login(session_editor)
    opens = timezone.now() + timedelta(days=2)
    response = _admin_post(client, "Backwards", _admin_round(opens, opens - timedelta(days=1)))
    assert response.status_code == 200
    assert "The round must close after it opens." in response.content.decode()
    assert not LiveSession.objects.filter(title="Backwards").exists()


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def citizen_client(client, live, join):
    """A browser that has joined the live session."""
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    return client


@pytest.mark.django_db
def test_participant_sees_when_a_scheduled_round_opens_in_uk_time_and_their_language(citizen_client, live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    opens = (timezone.now() + timedelta(days=20)).astimezone(UK).replace(hour=10, minute=0, second=0, microsecond=0)
    services.round_update(actor=fac_actor, session=live, round_id=ideas.pk, title_cy="Syniadau")
    schedule(fac_actor, live, ideas.pk, opens_at=opens.isoformat(), closes_at=(opens + timedelta(days=14)).isoformat())
    english = citizen_client.get(f"/en/s/{live.code}/").content.decode()
    from django.utils import dateformat, translation

    with translation.override("en"):
        day = dateformat.format(opens, "j F")
    assert f"Opens {day} at 10:00" in english and "Coming up" in english
    with translation.override("cy"):
        welsh_day = dateformat.format(opens, "j F")
    welsh = citizen_client.get(f"/cy/s/{live.code}/").content.decode()
    assert welsh_day in welsh and "Syniadau" in welsh and f"Opens {day}" not in welsh


@pytest.mark.django_db
def test_participant_sees_the_days_left_in_a_round_open_for_weeks(citizen_client, live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=ideas.pk, minutes=14 * 24 * 60 + 30, auto_close=True)
    page = citizen_client.get(f"/en/s/{live.code}/").content.decode()
    assert "Closes in 14 days (" in page


@pytest.mark.django_db
def test_facilitator_sees_a_schedule_form_for_draft_and_open_rounds(client, live, facilitator, fac_actor):
    client.force_login(facilitator)
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    page = client.get(f"/en/s/{live.code}/facilitate/").content.decode()
    assert page.count('data-action="round.schedule"') == 4  # three rounds and the template for new ones
    assert f'id="opens-at-{r["comment"].pk}"' in page and f'id="closes-at-{r["proposal"].pk}"' in page


# --- the demo -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_has_a_session_online_for_two_weeks_with_a_scheduled_vote(facilitator):
    from deliberation import demo

    demo.load_demo_sessions(consultation=None, facilitator=facilitator)
    online = LiveSession.objects.get(code=demo.ONLINE_CODE)
    ideas, vote = online.rounds.order_by("position")
    assert ideas.state == "open" and ideas.auto_close and ideas.closes_at - ideas.opened_at == timedelta(days=14)
    assert vote.state == "draft" and vote.opens_at > ideas.closes_at and vote.closes_at - vote.opens_at == timedelta(weeks=1)
    assert vote.auto_close and not vote.auto_publish and online.title_cy and vote.title_cy
    # The clock runs it: the ideas close, the vote opens the next day and closes a week later, left for review.
    assert scheduler.tick(now=ideas.closes_at + timedelta(seconds=1))["closed"] == [ideas.pk]
    assert scheduler.tick(now=vote.opens_at)["opened"] == [vote.pk]
    assert scheduler.tick(now=vote.closes_at) == {"closed": [vote.pk], "opened": [], "published": []}
    demo.load_demo_sessions(consultation=None, facilitator=facilitator)  # a second run changes nothing
    assert LiveSession.objects.filter(code=demo.ONLINE_CODE).count() == 1


@pytest.mark.django_db
def test_visitor_sees_when_a_round_opens_before_joining(client, live, fac_actor):
    ideas = rounds_of(live)["proposal"]
    opens = (timezone.now() + timedelta(days=5)).astimezone(UK).replace(hour=18, minute=30, second=0, microsecond=0)
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "Coming up" not in page  # a draft no one scheduled stays private
    schedule(fac_actor, live, ideas.pk, opens_at=opens.isoformat())
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "Take part" in page and "Coming up" in page and "Ideas" in page and "at 18:30" in page


@pytest.mark.django_db
def test_facilitator_can_change_the_closing_time_of_a_round_waiting_to_open(live, fac_actor):
    """A round whose opening time passed while another round was open waits; the console's form sends its opening
    time back unchanged with a new closing time, which is not refused as "in the past"."""
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    schedule(fac_actor, live, r["comment"].pk, opens_at=iso(timedelta(hours=1)))
    assert scheduler.tick(now=timezone.now() + timedelta(hours=2))["opened"] == []  # waits for the open round
    waiting = Round.objects.get(pk=r["comment"].pk)
    passed = timezone.now() - timedelta(minutes=5)
    Round.objects.filter(pk=waiting.pk).update(opens_at=passed)  # its time has passed
    sent_back = passed.astimezone(UK).strftime("%Y-%m-%dT%H:%M")
    schedule(fac_actor, live, waiting.pk, opens_at=sent_back, closes_at=iso(timedelta(days=3)), local=True)
    waiting.refresh_from_db()
    assert waiting.closes_at > timezone.now() + timedelta(days=2) and waiting.state == "draft"
