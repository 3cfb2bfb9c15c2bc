"""Eligibility: cards, sign-in, admission and open mode; paper reconciled with cards; double entry; the socket."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from deliberation import selectors, services, throttle
from deliberation.errors import ServiceError
from deliberation.models import Ballot, LiveSession, Participant, Round, VotingCard
from deliberation.rules import Actor
from tests.conftest import rounds_of


def _code(error):
    """The code of the ServiceError a call raised."""
    return error.value.code


@pytest.fixture
def mode_vote(live, fac_actor, open_vote):
    """Set the mode, then open a vote on three proposals written by (eligible) authors before the vote."""

    def make(mode="cards", **options):
        services.session_set_eligibility(actor=fac_actor, session=live, mode=mode, **options)
        vote = open_vote(authors=Actor(participant=Participant.objects.create(session=live)))
        return vote.round, vote.ids

    return make


def _cards(live, fac_actor, n=3):
    return services.cards_generate(actor=fac_actor, session=live, count=n)


# --- cards ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_facilitator_can_generate_numbered_cards_logged_without_codes(live, fac_actor):
    first = _cards(live, fac_actor, 3)
    more = _cards(live, fac_actor, 2)
    assert [c.number for c in first + more] == [1, 2, 3, 4, 5]
    event = live.events.filter(type="cards.generated").last()
    assert event.payload == {"count": 2, "first": 4, "last": 5} and event.audience == "facilitators"
    assert all(c.code not in str(e.payload) for e in live.events.all() for c in first + more)
    for bad in (0, 1001, True):
        with pytest.raises(ServiceError) as error:
            services.cards_generate(actor=fac_actor, session=live, count=bad)
        assert _code(error) == "invalid"


@pytest.mark.django_db
def test_participant_cannot_generate_cards(live, join):
    _p, actor = join("Alys")
    with pytest.raises(ServiceError) as error:
        services.cards_generate(actor=actor, session=live, count=3)
    assert _code(error) == "forbidden"


@pytest.mark.django_db
def test_visitor_cannot_reuse_a_card(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    card = _cards(live, fac_actor)[0]
    first = services.participant_join(session=live, display_name="Alys", card_code=card.code.lower().replace("-", " "))
    card.refresh_from_db()
    assert card.participant == first and card.used_at is not None
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, display_name="Bryn", card_code=card.code)
    assert _code(error) == "card_used"
    assert Participant.objects.filter(session=live).count() == 1


@pytest.mark.django_db
def test_visitor_cannot_use_a_card_of_another_session(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    other = LiveSession.objects.create(title="Elsewhere", code="XYZ789")
    other.facilitators.add(fac_actor.user)
    foreign = _cards(other, fac_actor)[0]
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, card_code=foreign.code, address="10.0.0.9")
    assert _code(error) == "card_unknown"
    foreign.refresh_from_db()
    assert foreign.participant is None


@pytest.mark.django_db
def test_visitor_cannot_guess_card_codes_past_the_throttle(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    card = _cards(live, fac_actor)[0]
    for _i in range(throttle.CARD_FAILURES):
        with pytest.raises(ServiceError) as error:
            services.participant_join(session=live, card_code="AAAA-BBBB-CCCC", address="10.0.0.7")
        assert _code(error) == "card_unknown"
    with pytest.raises(ServiceError) as error:  # even a right code: a blocked guesser learns nothing
        services.participant_join(session=live, card_code=card.code, address="10.0.0.7")
    assert _code(error) == "card_throttled"
    assert "ten minutes" in str(error.value.message)
    # Another address in the hall is not blocked.
    assert services.participant_join(session=live, card_code=card.code, address="10.0.0.8").card == card


@pytest.mark.django_db
def test_participant_without_card_can_watch_and_propose_but_cannot_vote(live, fac_actor, mode_vote):
    vote, ids = mode_vote("cards")
    walk_in = services.participant_join(session=live, display_name="Ceri")
    actor = Actor(participant=walk_in)
    state = selectors.session_state(live, actor)["payload"]
    wanted = {"eligible": False, "may_contribute": True, "has_card": False, "ineligible": "no_card", "admission": "admitted"}
    assert wanted.items() <= state["viewer"].items()
    assert state["session"]["eligibility"] == "cards"
    with pytest.raises(ServiceError) as error:
        services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:1])
    assert _code(error) == "no_card"
    assert str(error.value.message) == "You need a voting card to vote in this session."
    assert not Ballot.objects.filter(round=vote).exists()


@pytest.mark.django_db
def test_participant_without_card_cannot_propose_when_not_allowed(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards", uncarded_may_contribute=False)
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    actor = Actor(participant=services.participant_join(session=live))
    with pytest.raises(ServiceError) as error:
        services.proposal_submit(actor=actor, session=live, round_id=r["proposal"].pk, title="Bus")
    assert _code(error) == "no_card"


@pytest.mark.django_db
def test_participant_can_add_a_card_later_and_then_vote(live, fac_actor, mode_vote):
    vote, ids = mode_vote("cards")
    card = _cards(live, fac_actor)[0]
    actor = Actor(participant=services.participant_join(session=live))
    services.participant_use_card(actor=actor, session=live, card_code=card.code)
    ballot = services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:2])
    assert ballot.card == card
    with pytest.raises(ServiceError) as error:
        services.participant_use_card(actor=actor, session=live, card_code=_cards(live, fac_actor, 1)[0].code)
    assert _code(error) == "card_held"


@pytest.mark.django_db
def test_card_used_online_cannot_vote_again_on_paper(live, fac_actor, mode_vote):
    vote, ids = mode_vote("cards")
    card = _cards(live, fac_actor)[0]
    actor = Actor(participant=services.participant_join(session=live, card_code=card.code))
    services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:1])
    with pytest.raises(ServiceError) as error:
        services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[1:2], card_code=card.code)
    assert _code(error) == "card_used"
    assert Ballot.objects.filter(round=vote).count() == 1


@pytest.mark.django_db
def test_card_used_on_paper_cannot_vote_again_online(live, fac_actor, mode_vote):
    vote, ids = mode_vote("cards")
    card = _cards(live, fac_actor)[0]
    slip = services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[1:2], card_code=card.code)
    assert slip.card == card and slip.slip_number == 1
    actor = Actor(participant=services.participant_join(session=live, card_code=card.code))
    with pytest.raises(ServiceError) as error:
        services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:1])
    assert _code(error) == "card_used"
    with pytest.raises(ServiceError) as error:  # nor twice on paper
        services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[:1], card_code=card.code)
    assert _code(error) == "card_used"
    assert Ballot.objects.filter(round=vote).count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_ballot_with_one_card_in_a_round(live, fac_actor, mode_vote):
    """The constraint is the last word even when a service check is bypassed."""
    from django.db import IntegrityError, transaction

    vote, ids = mode_vote("cards")
    card = _cards(live, fac_actor)[0]
    Ballot.objects.create(round=vote, ranking=ids[:1], is_paper=True, card=card, slip_number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(round=vote, ranking=ids[:1], is_paper=True, card=card, slip_number=2)


@pytest.mark.django_db(transaction=True)
def test_two_visitors_racing_with_one_card_one_wins(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    card = _cards(live, fac_actor, 1)[0]
    start = threading.Barrier(8)

    def use(i):
        start.wait()
        try:
            return "ack", services.participant_join(session=live, display_name=f"P{i}", card_code=card.code).pk
        except ServiceError as error:
            return "error", error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(use, range(8)))
    winners = [value for status, value in outcomes if status == "ack"]
    assert len(winners) == 1, outcomes
    assert {value for status, value in outcomes if status == "error"} == {"card_used"}
    card.refresh_from_db()
    assert card.participant_id == winners[0]
    assert Participant.objects.filter(session=live).count() == 1


# --- sign-in, admission, open -----------------------------------------------------------------------


@pytest.mark.django_db
def test_signed_in_user_not_on_the_list_cannot_vote(live, fac_actor, make_user, mode_vote):
    vote, ids = mode_vote("signin")
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live)
    assert _code(error) == "sign_in_required"
    listed, stranger = make_user("panel-1"), make_user("stranger")
    services.voter_add(actor=fac_actor, session=live, username="Panel-1")
    ok = Actor(user=listed, participant=services.participant_join(session=live, user=listed))
    assert services.ballot_cast(actor=ok, session=live, round_id=vote.pk, ranking=ids[:1])
    outsider = Actor(user=stranger, participant=services.participant_join(session=live, user=stranger))
    with pytest.raises(ServiceError) as error:
        services.ballot_cast(actor=outsider, session=live, round_id=vote.pk, ranking=ids[:1])
    assert _code(error) == "not_on_list"
    services.voter_remove(actor=fac_actor, session=live, username="panel-1")
    with pytest.raises(ServiceError) as error:
        services.voter_add(actor=fac_actor, session=live, username="nobody")
    assert _code(error) == "not_found"
    assert selectors.facilitator_data(live)["voters"] == []


@pytest.mark.django_db
def test_signed_in_user_not_on_the_list_cannot_join_when_only_the_list_takes_part(live, fac_actor, make_user):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="signin", uncarded_may_contribute=False)
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, user=make_user("stranger"))
    assert _code(error) == "not_on_list"


@pytest.mark.django_db
def test_pending_participant_cannot_act_until_admitted(live, fac_actor, mode_vote):
    vote, ids = mode_vote("admission")
    waiting = services.participant_join(session=live, display_name="Dai")
    assert waiting.admission == Participant.Admission.PENDING
    requested = live.events.filter(type="participant.admission_requested").last()
    assert requested.audience == "facilitators"
    actor = Actor(participant=waiting)
    from deliberation import rules

    assert not rules.can(actor, rules.VIEW_SESSION, live)
    with pytest.raises(ServiceError) as error:
        services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:1])
    assert _code(error) == "not_admitted"
    services.participant_admit(actor=fac_actor, session=live, participant_id=waiting.pk)
    admitted = live.events.filter(type="participant.admitted").last()
    assert admitted.payload == {"participant": waiting.pk} and admitted.audience == "all"
    actor = Actor(participant=Participant.objects.get(pk=waiting.pk))
    assert rules.can(actor, rules.VIEW_SESSION, live)
    assert services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:1])
    services.participant_refuse(actor=fac_actor, session=live, participant_id=waiting.pk)
    assert not rules.can(Actor(participant=Participant.objects.get(pk=waiting.pk)), rules.VIEW_SESSION, live)
    with pytest.raises(ServiceError) as error:
        services.participant_admit(actor=actor, session=live, participant_id=waiting.pk)
    assert _code(error) == "forbidden"


@pytest.mark.django_db
def test_admission_flood_is_throttled_per_address_and_the_queue_is_paged(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="admission")
    for i in range(throttle.PENDING_PER_ADDRESS):
        services.participant_join(session=live, display_name=f"Bot {i}", address="10.0.0.66")
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, address="10.0.0.66")
    assert _code(error) == "admission_throttled"
    # Once the facilitator answers one, that address may ask again; other addresses were never blocked.
    first = Participant.objects.filter(session=live).order_by("pk").first()
    services.participant_refuse(actor=fac_actor, session=live, participant_id=first.pk)
    services.participant_join(session=live, address="10.0.0.66")
    for i in range(120):
        services.participant_join(session=live, display_name=f"Hall {i}", address=f"10.1.{i}.1")
    queue = selectors.admission_queue(live)
    assert queue["total"] == 125 and queue["pages"] == 3 and len(queue["items"]) == 50
    last = selectors.admission_queue(live, page=3)
    assert len(last["items"]) == 25 and last["items"][-1]["name"] == "Hall 119"
    assert selectors.facilitator_data(live)["admission_queue"]["items"] == queue["items"]


@pytest.mark.django_db
def test_open_join_flood_from_one_device_is_slowed_but_not_a_hall_on_one_address(live):
    for i in range(throttle.JOINS_PER_DEVICE):
        services.participant_join(session=live, display_name=f"Tab {i}", address="10.0.0.5", device_key="cookie-1")
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, address="10.0.0.5", device_key="cookie-1")
    assert _code(error) == "join_throttled"
    # Forty people in the hall behind the same venue address, each with their own browser, all get in.
    for i in range(40):
        services.participant_join(session=live, address="10.0.0.5", device_key=f"phone-{i}")
    assert Participant.objects.filter(session=live).count() == 45


@pytest.mark.django_db
def test_open_join_flood_from_one_address_stops_at_the_address_limit(live, monkeypatch):
    monkeypatch.setattr(throttle, "JOINS_PER_ADDRESS", 12)  # the real limit (300) is documented; same code path
    for i in range(12):
        services.participant_join(session=live, address="10.0.0.4", device_key=f"jar-{i}")
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, address="10.0.0.4", device_key="jar-new")
    assert _code(error) == "join_throttled"


@pytest.mark.django_db
def test_device_hash_is_salted_per_session_and_hides_the_address(live):
    other = LiveSession.objects.create(title="Elsewhere", code="XYZ789")
    a = throttle.device_hash("192.168.1.20", "Firefox", live)
    assert len(a) == 16 and int(a, 16) >= 0 and "192" not in a
    assert a == throttle.device_hash("192.168.1.20", "Firefox", live)
    assert a != throttle.device_hash("192.168.1.20", "Firefox", other)
    assert a != throttle.device_hash("192.168.1.21", "Firefox", live)
    p = services.participant_join(session=live, device=a)
    assert p.device == a


# --- changing the rules ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_facilitator_cannot_change_the_mode_while_a_vote_is_open_or_after_ballots(live, fac_actor, join, mode_vote):
    vote, ids = mode_vote("open")
    with pytest.raises(ServiceError) as error:
        services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    assert _code(error) == "eligibility_locked"
    _p, actor = join("Alys")
    services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ids[:1])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    for change in ({"mode": "cards"}, {"mode": "open", "double_entry": True}):
        with pytest.raises(ServiceError) as error:
            services.session_set_eligibility(actor=fac_actor, session=live, **change)
        assert _code(error) == "eligibility_locked"
    live.refresh_from_db()
    assert (live.eligibility, live.double_entry) == ("open", False)


@pytest.mark.django_db
def test_editor_can_set_the_mode_before_the_vote_and_it_is_logged(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="signin", uncarded_may_contribute=False)
    event = live.events.filter(type="session.eligibility_set").last()
    assert event.payload == {"mode": "signin", "uncarded_may_contribute": False, "double_entry": False}
    assert event.audience == "all"
    with pytest.raises(ServiceError) as error:
        services.session_set_eligibility(actor=fac_actor, session=live, mode="lottery")
    assert _code(error) == "invalid"


@pytest.mark.django_db
def test_participant_cannot_change_the_mode(live, join):
    _p, actor = join("Alys")
    with pytest.raises(ServiceError) as error:
        services.session_set_eligibility(actor=actor, session=live, mode="cards")
    assert _code(error) == "forbidden"


# --- paper slips, double entry, reconciliation -----------------------------------------------------


@pytest.mark.django_db
def test_facilitator_cannot_void_a_slip_twice(live, fac_actor, mode_vote):
    vote, ids = mode_vote("open")
    slip = services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[:1])
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=slip.pk, reason="Typed twice")
    with pytest.raises(ServiceError) as error:
        services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=slip.pk, reason="Again")
    assert _code(error) == "invalid" and "already voided" in str(error.value.message)


@pytest.mark.django_db
def test_facilitator_cannot_publish_while_double_entry_differs(live, fac_actor, mode_vote):
    vote, ids = mode_vote("open", double_entry=True)
    enter = services.ballot_enter_paper
    for ranking in ([ids[0]], [ids[1], ids[0]], [ids[2]]):
        enter(actor=fac_actor, session=live, round_id=vote.pk, ranking=ranking)
    second = [
        enter(actor=fac_actor, session=live, round_id=vote.pk, ranking=ranking, entry_pass=2)
        for ranking in ([ids[0]], [ids[0], ids[1]])
    ]
    assert [b.slip_number for b in second] == [1, 2]
    assert selectors.double_entry_differences(vote) == [
        {"slip": 2, "first": [ids[1], ids[0]], "second": [ids[0], ids[1]]},
        {"slip": 3, "first": [ids[2]], "second": None},
    ]
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["ballots_counted"] == 3  # pass 2 is never counted
    with pytest.raises(ServiceError) as error:
        services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    assert _code(error) == "double_entry_mismatch"
    # The checker voids the mistyped slip 2 and slip 3 (pass 1): nothing left to compare, publish goes through.
    slips = {b.slip_number: b for b in Ballot.objects.filter(round=vote, entry_pass=1)}
    for n in (2, 3):
        services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=slips[n].pk, reason="Differs")
    assert selectors.double_entry_differences(vote) == []
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    assert Round.objects.get(pk=vote.pk).state == Round.State.PUBLISHED


@pytest.mark.django_db
def test_facilitator_cannot_type_a_second_pass_without_double_entry(live, fac_actor, mode_vote):
    vote, ids = mode_vote("open")
    with pytest.raises(ServiceError) as error:
        services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[:1], entry_pass=2)
    assert _code(error) == "invalid"


@pytest.mark.django_db
def test_reconciliation_figures_add_up_and_are_frozen_with_the_count(live, fac_actor, mode_vote):
    vote, ids = mode_vote("cards")
    cards = _cards(live, fac_actor, 5)
    for card in cards[:2]:
        voter = Actor(participant=services.participant_join(session=live, card_code=card.code, device="d1"))
        services.ballot_cast(actor=voter, session=live, round_id=vote.pk, ranking=ids[:2])
    services.participant_join(session=live, device="d2")  # no card: watches
    enter = services.ballot_enter_paper
    enter(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[:1], card_code=cards[2].code)
    typo = enter(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[1:2], card_code=cards[3].code)
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=typo.pk, reason="Wrong card")
    figures = selectors.reconciliation(vote)
    expected = {
        "mode": "cards",
        "cards_issued": 5,
        "cards_used_online": 2,
        "cards_used_on_paper": 1,
        "cards_unused": 2,
        "online_ballots": 2,
        "paper_slips": 2,
        "slips_voided": [{"number": 2, "reason": "Wrong card"}],
        "ballots_counted": 3,
        "participants": 4,
        "devices": 2,
        "double_entry_differences": [],
    }
    assert figures == expected  # participants: the proposals' author, two card holders, one walk-in
    assert selectors.facilitator_data(live)["reconciliation"] == expected | {"round": vote.pk}
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["eligibility"] == expected


# --- the socket ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_participant_without_card_casts_zero_ballots_over_the_socket(live, connect, mode_vote):
    vote, ids = await database_sync_to_async(mode_vote)("cards")
    walk_ins = [await database_sync_to_async(services.participant_join)(session=live) for _i in range(3)]
    for participant in walk_ins:
        connected, client, first = await connect(live.code, participant=participant)
        assert connected and first["payload"]["viewer"]["eligible"] is False
        reply = await client.send("ballot.cast", {"round": vote.pk, "ranking": ids[:1]})
        assert reply["type"] == "error" and reply["code"] == "no_card"
        reply = await client.send("participant.use_card", {"card": "AAAA-BBBB-CCCC"})
        assert reply["code"] == "card_unknown"
        await client.close()
    assert await database_sync_to_async(Ballot.objects.filter(round=vote).count)() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_facilitator_can_manage_eligibility_over_the_socket(live, facilitator, make_user, connect):
    await database_sync_to_async(make_user)("panel-1")
    _ok, fac, first = await connect(live.code, user=facilitator)
    assert first["payload"]["facilitator"]["cards"] == {"issued": 0, "used": 0, "unused": 0}
    reply = await fac.send("session.set_eligibility", {"mode": "cards", "uncarded_may_contribute": False})
    assert reply["payload"] == {"mode": "cards", "uncarded_may_contribute": False, "double_entry": False}
    assert (await fac.send("cards.generate", {"count": 4}))["payload"] == {"count": 4, "first": 1, "last": 4}
    assert (await fac.send("voter.add", {"username": "panel-1"}))["payload"] == {"username": "panel-1"}
    assert (await fac.send("voter.remove", {"username": "panel-1"}))["type"] == "ack"
    assert (await fac.send("participant.admit", {"id": 999999}))["code"] == "not_found"
    assert (await fac.send("cards.generate", {"count": "4"}))["code"] == "invalid"
    code = await database_sync_to_async(lambda: VotingCard.objects.get(session=live, number=1).code)()
    walk_in = await database_sync_to_async(services.participant_join)(session=live)
    _ok, client, _first = await connect(live.code, participant=walk_in)
    reply = await client.send("participant.use_card", {"card": code})
    assert reply["type"] == "ack" and reply["payload"]["eligible"] is True
    assert (await client.send("session.set_eligibility", {"mode": "open"}))["code"] == "forbidden"
    await client.close()
    await fac.close()


@pytest.mark.django_db
def test_visitor_without_card_cannot_flood_a_cards_session_from_one_browser(live, fac_actor):
    services.session_set_eligibility(actor=fac_actor, session=live, mode="cards")
    card = _cards(live, fac_actor, 1)[0]
    for _i in range(throttle.JOINS_PER_DEVICE):
        services.participant_join(session=live, address="10.0.0.3", device_key="jar")
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, address="10.0.0.3", device_key="jar")
    assert _code(error) == "join_throttled"
    # A card still admits (it bounds itself): the flood limit is for people without one.
    assert services.participant_join(session=live, address="10.0.0.3", device_key="jar", card_code=card.code).card == card
