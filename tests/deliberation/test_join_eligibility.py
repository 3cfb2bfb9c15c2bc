"""Joining a session in each eligibility mode without JavaScript: told the mode first, asked for what it needs."""

import pytest

from deliberation import services
from deliberation.errors import MESSAGES
from deliberation.models import Ballot, Participant
from deliberation.rules import Actor
from tests.conftest import rounds_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote_in_mode(live, fac_actor, open_vote):
    """Set the session's mode and open a vote on two proposals (written by walk-ins before the vote)."""

    def make(mode, **options):
        services.session_set_eligibility(actor=fac_actor, session=live, mode=mode, **options)
        authors = [Actor(participant=Participant.objects.create(session=live)) for _ in range(2)]
        return open_vote(("Later buses", "Car share"), authors).round

    return make


def _vote(client, live, vote):
    """Cast a ballot through the form fallback; return the page the browser lands on."""
    first = vote.ballot_proposals.order_by("pk").first()
    fields = {"action": "ballot.cast", "ref": "v1", "round": vote.pk, f"rank_{first.pk}": "1"}
    return client.post(f"/en/s/{live.code}/act/", fields, follow=True).content.decode()


def test_visitor_can_read_the_mode_before_joining(client, live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="open")
    assert "Open vote: anyone with the code can take part" in client.get(f"/en/s/{live.code}/").content.decode()
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "You need your voting card to vote" in page and 'name="card"' in page
    services.session_set_eligibility(actor=fac_actor, session=live, mode="admission")
    assert "The facilitator admits each person" in client.get(f"/en/s/{live.code}/").content.decode()


def test_visitor_can_vote_with_the_card_from_the_qr_link(client, live, fac_actor, vote_in_mode):
    vote = vote_in_mode("cards")
    card = services.cards_generate(actor=fac_actor, session=live, count=2)[0]
    plain = card.code.replace("-", "").lower()
    page = client.get(f"/en/s/{live.code}/?card={plain}").content.decode()
    assert f'value="{card.code}"' in page  # prefilled from the link, as printed
    response = client.post(f"/en/s/{live.code}/?card={plain}", {"name": "Alys", "card": plain})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.participant is not None and card.participant.display_name == "Alys"
    assert "Your ballot is recorded" in _vote(client, live, vote)
    assert Ballot.objects.filter(round=vote).count() == 1


def test_visitor_cannot_use_a_card_twice(client, live, fac_actor, django_user_model, vote_in_mode):
    vote_in_mode("cards")
    card = services.cards_generate(actor=fac_actor, session=live, count=1)[0]
    client.post(f"/en/s/{live.code}/", {"card": card.code})
    other = client.__class__()
    before = live.participants.count()
    page = other.post(f"/en/s/{live.code}/", {"card": card.code}).content.decode()
    assert 'class="error-summary"' in page and str(MESSAGES["card_used"]) in page
    assert 'aria-invalid="true"' in page and live.participants.count() == before


def test_visitor_cannot_join_with_a_card_of_another_session(client, live, fac_actor, facilitator, vote_in_mode):
    from deliberation.models import LiveSession

    vote_in_mode("cards")
    other = LiveSession.objects.create(title="Elsewhere", code="ELSWHR", eligibility="cards")
    other.facilitators.add(facilitator)
    foreign = services.cards_generate(actor=fac_actor, session=other, count=1)[0]
    page = client.post(f"/en/s/{live.code}/", {"card": foreign.code}).content.decode()
    assert str(MESSAGES["card_unknown"]) in page
    assert not live.participants.filter(card__isnull=False).exists()


def test_visitor_cannot_guess_card_codes_without_end(client, live, fac_actor, vote_in_mode):
    vote_in_mode("cards")
    pages = [client.post(f"/en/s/{live.code}/", {"card": f"AAAA-BBBB-{n:04d}"}).content.decode() for n in range(21)]
    assert str(MESSAGES["card_unknown"]) in pages[0]
    assert str(MESSAGES["card_throttled"]) in pages[-1]


def test_visitor_without_a_card_must_choose_to_watch(client, live, fac_actor, vote_in_mode):
    vote = vote_in_mode("cards")
    page = client.post(f"/en/s/{live.code}/", {"name": "Bryn"}).content.decode()
    assert 'class="error-summary"' in page and live.participants.filter(display_name="Bryn").count() == 0
    assert "I have no card" in page
    client.post(f"/en/s/{live.code}/", {"name": "Bryn", "watch": "1"})
    live_page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "You are watching: you need a voting card to vote." in live_page
    assert 'id="vote" hidden' in live_page and 'id="watching" hidden' not in live_page
    assert 'id="card-form" hidden' not in live_page  # a card can still be entered later
    _vote(client, live, vote)
    assert not Ballot.objects.filter(round=vote).exists()


def test_watcher_can_add_a_card_later_and_vote(client, live, fac_actor, vote_in_mode):
    vote = vote_in_mode("cards")
    card = services.cards_generate(actor=fac_actor, session=live, count=1)[0]
    client.post(f"/en/s/{live.code}/", {"watch": "1"})
    fields = {"action": "participant.use_card", "ref": "c1", "card": card.code.lower().replace("-", " ")}
    client.post(f"/en/s/{live.code}/act/", fields)
    live_page = client.get(f"/en/s/{live.code}/").content.decode()
    assert 'id="vote" hidden' not in live_page and 'id="watching" hidden' in live_page
    assert "Your ballot is recorded" in _vote(client, live, vote)


def test_watcher_cannot_propose_when_the_session_says_so(client, live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards", uncarded_may_contribute=False)
    services.round_open(actor=fac_actor, session=live, round_id=rounds_of(live)["proposal"].pk)
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "I have no card: watch only" in page
    client.post(f"/en/s/{live.code}/", {"watch": "1"})
    live_page = client.get(f"/en/s/{live.code}/").content.decode()
    assert 'id="propose" hidden' in live_page


def test_visitor_is_asked_to_sign_in_for_a_sign_in_session(client, live, fac_actor, vote_in_mode):
    vote_in_mode("signin")
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert 'id="sign-in-link"' in page and f"/en/accounts/login/?next=/en/s/{live.code}/" in page
    refused = client.post(f"/en/s/{live.code}/", {"name": "Alys"}).content.decode()
    assert str(MESSAGES["sign_in_required"]) in refused and live.participants.filter(display_name="Alys").count() == 0


def test_user_on_the_list_can_vote_in_a_sign_in_session(client, live, fac_actor, make_user, vote_in_mode):
    vote = vote_in_mode("signin")
    panel = make_user("panel")
    live.voters.add(panel)
    client.force_login(panel)
    assert 'id="sign-in-link"' not in client.get(f"/en/s/{live.code}/").content.decode()
    assert client.post(f"/en/s/{live.code}/", {"name": ""}).status_code == 302
    assert "Your ballot is recorded" in _vote(client, live, vote)


def test_user_not_on_the_list_cannot_vote_in_a_sign_in_session(client, live, fac_actor, make_user, vote_in_mode):
    vote = vote_in_mode("signin")
    client.force_login(make_user("stranger"))
    client.post(f"/en/s/{live.code}/", {"name": ""})
    live_page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "not on this session" in live_page and 'id="vote" hidden' in live_page
    assert 'id="watching" hidden' not in live_page and 'id="card-form" hidden' in live_page
    _vote(client, live, vote)
    assert not Ballot.objects.filter(round=vote).exists()


def test_visitor_can_wait_to_be_admitted_and_then_take_part(client, live, fac_actor, vote_in_mode):
    vote_in_mode("admission")
    client.post(f"/en/s/{live.code}/", {"name": "Ceri"})
    waiting = client.get(f"/en/s/{live.code}/").content.decode()
    assert "Waiting for the facilitator to let you in" in waiting and "Check again" in waiting
    assert client.get(f"/en/s/{live.code}/admission.json").json() == {"admission": "pending"}
    person = live.participants.get(display_name="Ceri")
    services.participant_admit(actor=fac_actor, session=live, participant_id=person.pk)
    assert client.get(f"/en/s/{live.code}/admission.json").json() == {"admission": "admitted"}
    assert 'id="vote" hidden' not in client.get(f"/en/s/{live.code}/").content.decode()


def test_refused_visitor_cannot_take_part(client, live, fac_actor, vote_in_mode):
    vote_in_mode("admission")
    client.post(f"/en/s/{live.code}/", {"name": "Dai"})
    person = live.participants.get(display_name="Dai")
    services.participant_refuse(actor=fac_actor, session=live, participant_id=person.pk)
    assert client.get(f"/en/s/{live.code}/admission.json").json() == {"admission": "refused"}
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "The facilitator did not let you in" in page and 'id="ballot-form"' not in page


def test_stranger_cannot_read_an_admission_status(client, live):
    assert client.get(f"/en/s/{live.code}/admission.json").status_code == 404


def test_visitor_joining_an_open_session_is_counted_by_device_never_by_address(client, live):
    client.post(f"/en/s/{live.code}/", {"name": "Alys"}, HTTP_USER_AGENT="Phone A", REMOTE_ADDR="203.0.113.7")
    other = client.__class__()
    other.post(f"/en/s/{live.code}/", {"name": "Bryn"}, HTTP_USER_AGENT="Phone B", REMOTE_ADDR="203.0.113.7")
    devices = dict(live.participants.values_list("display_name", "device"))
    assert all(len(d) == 16 and "203.0.113.7" not in d for d in devices.values())
    assert devices["Alys"] != devices["Bryn"]  # one venue address, two phones
