"""Coming back (issue 13): a walk-in's return link restores their place on any browser; it can be replaced, e-mailed
once in the chosen language, and refuses clearly (wrong, replaced, another session's, refused, ended, guessing)."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django_tasks_db.models import DBTaskResult

from deliberation import rules, services, throttle
from deliberation.identity import SESSION_KEY, remember_participant, return_token
from deliberation.models import LiveSession, Participant
from deliberation.services.participants import participant_new_return_link
from notify.models import Follow, Follower
from tests.conftest import rounds_of
from tests.notify.conftest import Inbox, html_part, run_tasks, send_mail_to, smtp_server, text_part

pytestmark = pytest.mark.django_db


def as_participant(client, participant):
    """Give `client` a browser session that holds `participant` (what joining leaves in the cookie)."""
    store = SessionStore()
    remember_participant(store, participant.session.code, participant.pk)
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return client


def link_on_page(client, live):
    """The return link the session page shows this browser, as a path."""
    page = client.get(f"/en/s/{live.code}/").content.decode()
    match = re.search(r'id="keep-place-link"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*id="keep-place-link"', page
    )
    assert match, "no return link on the page"
    return urlsplit(match.group(1)).path


def path_of(participant, lang="en"):
    """A participant's return link's path."""
    return f"/{lang}/s/{participant.session.code}/return/{return_token(participant)}/"


def held(client, live):
    """The participant id this browser holds for the session, if any."""
    return (client.session.get(SESSION_KEY) or {}).get(live.code)


@pytest.fixture
def voter(live, open_vote):
    """A walk-in who wrote the three proposals and cast a ballot in the open vote; returns (participant, receipt)."""
    vote = open_vote(authors="Alys")
    actor = vote.authors[0]
    ballot = services.ballot_cast(actor=actor, session=live, round_id=vote.round.pk, ranking=[vote.ids[1], vote.ids[0]])
    return Participant.objects.get(pk=actor.participant.pk), ballot.receipt


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port; the settings send to it."""
    with smtp_server(Inbox()) as inbox:
        send_mail_to(settings, inbox)
        yield inbox


# --- coming back ---------------------------------------------------------------------------------------------------


def test_participant_can_come_back_on_another_browser_with_their_link(live, voter):
    participant, receipt = voter
    path = link_on_page(as_participant(Client(), participant), live)
    assert path == path_of(participant)
    other = Client()  # another device: no cookie, so only the name form
    assert "your proposal" not in other.get(f"/en/s/{live.code}/").content.decode()
    response = other.get(path)
    assert response.status_code == 302 and response["Location"] == f"/en/s/{live.code}/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert held(other, live) == participant.pk
    page = other.get(f"/en/s/{live.code}/").content.decode()
    assert 'class="proposal proposal--mine"' in page  # their proposals show as theirs
    assert receipt in page  # and their ballot's receipt is there
    assert live.participants.count() == 1  # nobody new joined


def test_participant_can_come_back_in_welsh(live, voter):
    participant, _receipt = voter
    response = Client().get(path_of(participant, "cy"))
    assert response.status_code == 302 and response["Location"] == f"/cy/s/{live.code}/"


def test_participant_can_make_a_new_link_and_the_old_one_stops_working(live, voter):
    participant, _receipt = voter
    browser = as_participant(Client(), participant)
    old = link_on_page(browser, live)
    response = browser.post(f"/en/s/{live.code}/return/new/", follow=True)
    assert "The old one no longer works." in response.content.decode()
    new = link_on_page(browser, live)
    assert new != old and new == path_of(Participant.objects.get(pk=participant.pk))
    stranger = Client()
    refused = stranger.get(old)
    assert refused.status_code == 404 and "This link does not work" in refused.content.decode()
    assert held(stranger, live) is None
    assert stranger.get(new).status_code == 302 and held(stranger, live) == participant.pk
    assert held(browser, live) == participant.pk  # the browser that replaced it keeps its place


def test_stranger_cannot_make_a_new_link(live, voter, facilitator):
    participant, _receipt = voter
    before = Participant.objects.get(pk=participant.pk).token
    signed_in = Client()
    signed_in.force_login(facilitator)  # the facilitator holds no participant
    for client in (signed_in, Client()):
        response = client.post(f"/en/s/{live.code}/return/new/", follow=True)
        assert "Join the session first." in response.content.decode()
    assert Participant.objects.get(pk=participant.pk).token == before


def test_participant_can_replace_only_their_own_link(live, voter, join):
    participant, _receipt = voter
    other, other_actor = join("Bryn")
    assert rules.can(rules.Actor(participant=participant), rules.KEEP_PLACE, participant)
    assert not rules.can(other_actor, rules.KEEP_PLACE, participant)
    assert not rules.can(rules.Actor(), rules.KEEP_PLACE, participant)
    before = participant.token
    participant_new_return_link(actor=other_actor, session=live)
    assert Participant.objects.get(pk=participant.pk).token == before
    assert Participant.objects.get(pk=other.pk).token != other.token


# --- refusals ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # one character changed
        lambda t: t[:-2],  # cut short
        lambda t: t.upper(),  # not how a link is written
        lambda t: uuid.uuid4().hex,  # made up
        lambda t: "../../join",
    ],
)
def test_visitor_cannot_come_back_with_a_tampered_link(live, voter, tamper):
    participant, _receipt = voter
    browser = Client()
    response = browser.get(f"/en/s/{live.code}/return/{tamper(return_token(participant))}/")
    assert response.status_code == 404
    assert held(browser, live) is None


def test_tampered_link_page_is_in_welsh_too(live, voter):
    response = Client().get(f"/cy/s/{live.code}/return/{uuid.uuid4().hex}/")
    assert response.status_code == 404 and '<html lang="cy"' in response.content.decode()


def test_visitor_cannot_use_a_link_with_another_sessions_code(live, voter):
    participant, _receipt = voter
    other = LiveSession.objects.create(title="Other", code="BWRDD4")
    browser = Client()
    response = browser.get(f"/en/s/{other.code}/return/{return_token(participant)}/")
    assert response.status_code == 404
    assert held(browser, live) is None and held(browser, other) is None


def test_refused_participant_cannot_come_back_with_a_link(live, fac_actor, join):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="admission")
    participant, _actor = join("Ceri")
    token = return_token(participant)
    services.participant_refuse(actor=fac_actor, session=live, participant_id=participant.pk)
    browser = Client()
    response = browser.get(f"/en/s/{live.code}/return/{token}/")
    assert response.status_code == 410
    assert "The facilitator did not let you in" in response.content.decode()
    assert held(browser, live) is None


def test_participant_cannot_come_back_to_an_ended_session_but_sees_its_results(live, voter, fac_actor):
    participant, _receipt = voter
    vote = rounds_of(live)["vote"]
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    services.session_end(actor=fac_actor, session=live)
    browser = Client()
    response = browser.get(path_of(participant))
    page = response.content.decode()
    assert response.status_code == 410 and "This session has ended" in page
    assert f"/en/s/{live.code}/results/{vote.pk}/" in page
    assert held(browser, live) is None
    # Nor is the link offered or replaced any more.
    owner = as_participant(Client(), participant)
    assert 'id="keep-place-link"' not in owner.get(f"/en/s/{live.code}/").content.decode()
    before = participant.token
    owner.post(f"/en/s/{live.code}/return/new/")
    assert Participant.objects.get(pk=participant.pk).token == before


def test_signed_in_participant_is_not_offered_a_link(live, make_user):
    user = make_user("dafydd")
    participant = services.participant_join(session=live, user=user)
    browser = as_participant(Client(), participant)
    browser.force_login(user)
    assert 'id="keep-place-link"' not in browser.get(f"/en/s/{live.code}/").content.decode()
    assert Client().get(path_of(participant)).status_code == 404  # they come back by signing in


def test_address_that_guesses_links_is_slowed_down(live, voter):
    participant, _receipt = voter
    browser = Client()
    for _ in range(throttle.JOIN_CODE_FAILURES):
        assert browser.get(f"/en/s/{live.code}/return/{uuid.uuid4().hex}/").status_code == 404
    response = browser.get(path_of(participant))  # even the right link, once blocked
    assert response.status_code == 429
    assert held(browser, live) is None
    assert Client(REMOTE_ADDR="10.0.0.9").get(path_of(participant)).status_code == 302  # another address is not


def test_wrong_links_share_the_join_code_budget(live, voter):
    browser = Client()
    for _ in range(throttle.JOIN_CODE_FAILURES):
        browser.get(f"/en/s/{live.code}/return/{uuid.uuid4().hex}/")
    assert browser.post("/en/join/", {"code": live.code}).status_code == 429


# --- e-mailing the link ----------------------------------------------------------------------------------------------


def queued():
    """The return-link e-mails waiting in the queue."""
    return DBTaskResult.objects.filter(task_path="deliberation.tasks.send_return_link")


def test_participant_can_email_their_link_once_in_the_chosen_language(live, voter, smtp, django_capture_on_commit_callbacks):
    participant, _receipt = voter
    browser = as_participant(Client(), participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/en/s/{live.code}/return/email/", {"email": "Alys@Example.COM", "language": "cy"})
    assert response.status_code == 302 and response["Location"] == f"/en/s/{live.code}/#keep-place"
    assert queued().count() == 1
    assert not Follower.objects.exists()  # the address is not kept
    assert run_tasks() == 1
    [message] = smtp.wait("Alys@example.com")
    assert message["Content-Language"] == "cy"
    link = path_of(participant, "cy")
    assert link in text_part(message) and link in html_part(message)
    assert '<html lang="cy">' in html_part(message) and live.title in text_part(message)
    assert len(smtp.messages) == 1
    assert Client().get(link).status_code == 302  # the e-mailed link works


def test_email_form_defaults_to_the_pages_language(live, voter):
    participant, _receipt = voter
    page = as_participant(Client(), participant).get(f"/cy/s/{live.code}/").content.decode()
    assert re.search(r'id="keep-place-language-cy"[^>]*checked', page)
    assert "readonly" in re.search(r'<input[^>]*id="keep-place-link"[^>]*>', page).group(0)


def test_participant_can_email_their_link_and_follow_the_session(live, voter, django_capture_on_commit_callbacks):
    participant, _receipt = voter
    browser = as_participant(Client(), participant)
    fields = {"email": "alys@example.com", "language": "en", "follow": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/en/s/{live.code}/return/email/", fields, follow=True)
    assert "confirm your address" in response.content.decode()
    assert queued().count() == 1
    follower = Follower.objects.get()
    assert follower.email == "alys@example.com" and Follow.objects.get(follower=follower).session == live
    assert DBTaskResult.objects.filter(task_path="notify.tasks.send_confirmation").count() == 1


@pytest.mark.parametrize(
    "address", ["", "not an address", "alys@", "alys @example.com", "alys@example.com\u200b", "a" * 250 + "@x.cy"]
)
def test_participant_cannot_email_their_link_to_a_bad_address(live, voter, address, django_capture_on_commit_callbacks):
    participant, _receipt = voter
    browser = as_participant(Client(), participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/en/s/{live.code}/return/email/", {"email": address, "language": "en", "follow": "1"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not queued().exists() and not Follower.objects.exists()


def test_stranger_cannot_have_a_link_emailed(live, voter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/en/s/{live.code}/return/email/", {"email": "eve@example.com", "language": "en"})
    assert response.status_code == 302
    assert not queued().exists() and not Follower.objects.exists()


def test_participant_cannot_have_their_link_emailed_too_often(live, voter, django_capture_on_commit_callbacks):
    participant, _receipt = voter
    browser = as_participant(Client(), participant)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            response = browser.post(f"/en/s/{live.code}/return/email/", {"email": f"a{n}@example.com", "language": "en"})
    assert response.status_code == 429
    assert queued().count() == 5


def test_email_task_sends_nothing_once_the_session_has_ended(live, voter, fac_actor, smtp):
    from deliberation.tasks import send_return_link

    participant, _receipt = voter
    services.round_close(actor=fac_actor, session=live, round_id=rounds_of(live)["vote"].pk)
    services.session_end(actor=fac_actor, session=live)
    assert send_return_link.call(participant.pk, "alys@example.com", "en") is False
    assert smtp.messages == []
