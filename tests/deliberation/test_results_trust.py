"""Results say how far they can be trusted: eligibility mode and reconciliation on the page, in JSON, in both languages."""

import html
import json
import re

import pytest
from django.utils import timezone

from deliberation import services
from deliberation.models import LiveSession, Participant, VotingCard
from deliberation.rules import Actor
from tests.conftest import rounds_of
from tests.deliberation.test_results import TITLES
from tests.home.conftest import _isolated, _site_tree_keys, site_tree  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def trust_section(page):
    """The text of the results page's trust section, tags stripped and spaces collapsed."""
    inner = re.search(r'<section class="panel trust[^"]*"[^>]*>(.*?)</section>', page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())


def set_mode(live, mode, **extra):
    """Set the session's eligibility before any vote opens (as an editor would in the admin)."""
    LiveSession.objects.filter(pk=live.pk).update(eligibility=mode, **extra)
    live.refresh_from_db()


def voter(live, name, **fields):
    """A participant of the session (already admitted or refused, with a device or a user) as an actor."""
    participant = Participant.objects.create(session=live, display_name=name, **fields)
    return participant, Actor(participant=participant)


def with_card(live, participant, number):
    """Give a participant voting card `number` of the session, as joining with it does."""
    VotingCard.objects.filter(session=live, number=number).update(participant=participant, used_at=timezone.now())


def run_vote(live, fac_actor, online=(), paper=(), void=None):
    """Open the vote, cast `online` [(actor, ranking)] and `paper` [(card code, ranking)], void slip `void`, publish."""
    vote = rounds_of(live)["vote"]
    services.round_open(actor=fac_actor, session=live, round_id=vote.pk)
    for actor, ranking in online:
        services.ballot_cast(actor=actor, session=live, round_id=vote.pk, ranking=ranking)
    slips = [
        services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ranking, card_code=code)
        for code, ranking in paper
    ]
    if void is not None:
        services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=slips[void[0]].pk, reason=void[1])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    return vote


@pytest.fixture
def cards_vote(live, fac_actor, proposal_round):
    """A cards session: 5 cards, 2 used online, 1 used on paper, a card-less slip voided ("Typed twice")."""
    a, b, _c = proposal_round(TITLES, "Alys", close=True).ids
    set_mode(live, "cards")
    VotingCard.objects.bulk_create([VotingCard(session=live, number=n) for n in range(1, 6)])
    online = []
    for n, name in ((1, "Alys"), (2, "Bryn")):
        participant, actor = voter(live, name)
        with_card(live, participant, n)
        online.append((actor, [a, b]))
    card3 = VotingCard.objects.get(session=live, number=3).code
    return run_vote(live, fac_actor, online, paper=[(card3, [b]), ("", [a])], void=(1, "Typed twice"))


def test_anyone_can_read_the_cards_label_and_reconciliation_on_the_results_page(client, live, cards_vote):
    section = trust_section(client.get(f"/en/s/{live.code}/results/{cards_vote.pk}/").content.decode())
    assert "How far this result can be trusted" in section
    assert "Voting cards · Ballots counted: 3 (1 on paper)" in section
    assert "only people holding one of the session's single-use cards could vote" in section
    for figure in (
        "Cards issued 5",
        "Cards used online 2",
        "Cards used on paper 1",
        "Cards unused 2",
        "Online ballots 2",
        "Paper slips voided 1",
        "Ballots counted 3",
        "Double entry of paper slips Not used",
    ):
        assert figure in section, figure
    assert "Receipt codes of counted ballots" in section


def test_anyone_can_read_why_a_slip_was_voided_on_the_results_page(client, live, cards_vote):
    section = trust_section(client.get(f"/en/s/{live.code}/results/{cards_vote.pk}/").content.decode())
    assert "Paper slips voided, and why" in section
    assert "Slip 2: Typed twice" in section


def test_anyone_can_read_the_cards_label_in_welsh(client, live, cards_vote):
    section = trust_section(client.get(f"/cy/s/{live.code}/results/{cards_vote.pk}/").content.decode())
    assert "Pa mor ddibynadwy yw’r canlyniad hwn" in section
    assert "Cardiau pleidleisio · Pleidleisiau a gyfrifwyd: 3 (1 ar bapur)" in section
    assert "Cardiau wedi’u dosbarthu 5" in section  # the console's words (locale/pending/console9.po)
    assert "Papur 2: Typed twice" in section  # the facilitator's own words are not translated


def test_anyone_can_read_the_open_label_and_device_count(client, live, fac_actor, proposal_round):
    a, b, _c = proposal_round(TITLES, "Alys", close=True).ids
    Participant.objects.filter(session=live).update(device="0123456789abcdef")  # the proposer, from device one
    online = [
        voter(live, name, device=device)[1]
        for name, device in (("Bryn", "0123456789abcdef"), ("Cerys", "0123456789abcdef"), ("Dai", "fedcba9876543210"))
    ]
    vote = run_vote(live, fac_actor, [(actor, [a, b]) for actor in online])
    page = client.get(f"/en/s/{live.code}/results/{vote.pk}/").content.decode()
    section = trust_section(page)
    assert "Open vote · not verified" in section
    assert "Open vote: not verified. Anyone with the code could take part." in section
    assert "Participants who joined: 4, from 2 devices." in section
    assert "Devices they joined from 2" in section and "Ballots counted 3" in section
    welsh = trust_section(client.get(f"/cy/s/{live.code}/results/{vote.pk}/").content.decode())
    assert "Pleidlais agored · heb ei gwirio" in welsh
    assert "Pleidlais agored: heb ei gwirio." in welsh


def test_anyone_can_read_the_sign_in_label(client, live, fac_actor, proposal_round, make_user):
    a, _b, _c = proposal_round(TITLES, "Alys", close=True).ids
    set_mode(live, "signin")
    people = [make_user(name) for name in ("ann", "ben", "cai")]
    live.voters.set(people)
    online = [voter(live, user.username, user=user)[1] for user in people[:2]]
    vote = run_vote(live, fac_actor, [(actor, [a]) for actor in online])
    section = trust_section(client.get(f"/en/s/{live.code}/results/{vote.pk}/").content.decode())
    assert "Sign-in list · Ballots counted: 2" in section
    assert "Sign-in: only the 3 people on the session's list could vote." in section
    welsh = trust_section(client.get(f"/cy/s/{live.code}/results/{vote.pk}/").content.decode())
    assert "Rhestr fewngofnodi · Pleidleisiau a gyfrifwyd: 2" in welsh
    assert "Mewngofnodi: dim ond pobl ar restr y sesiwn (3) a allai bleidleisio." in welsh


def test_anyone_can_read_the_admission_label(client, live, fac_actor, proposal_round):
    a, _b, _c = proposal_round(TITLES, "Alys", close=True).ids  # the proposer joined while the session was open to all
    set_mode(live, "admission")
    admitted = [voter(live, name)[1] for name in ("Bryn", "Cerys")]
    voter(live, "Mallory", admission="refused")
    vote = run_vote(live, fac_actor, [(actor, [a]) for actor in admitted])
    section = trust_section(client.get(f"/en/s/{live.code}/results/{vote.pk}/").content.decode())
    assert "Admission by the facilitator · Ballots counted: 2" in section
    assert "Admission: the facilitator admitted 3 people." in section
    welsh = trust_section(client.get(f"/cy/s/{live.code}/results/{vote.pk}/").content.decode())
    assert "Derbyn gan yr hwylusydd · Pleidleisiau a gyfrifwyd: 2" in welsh
    assert "Derbyn: derbyniodd yr hwylusydd 3 o bobl." in welsh


def test_anyone_can_download_the_eligibility_figures_in_the_json_result(client, live, cards_vote):
    response = client.get(f"/en/s/{live.code}/results/{cards_vote.pk}.json")
    eligibility = json.loads(response.content)["eligibility"]
    assert eligibility["mode"] == "cards"
    assert (
        eligibility["cards_issued"],
        eligibility["cards_used_online"],
        eligibility["cards_used_on_paper"],
        eligibility["cards_unused"],
        eligibility["ballots_counted"],
    ) == (5, 2, 1, 2, 3)
    assert [slip["reason"] for slip in eligibility["slips_voided"]] == ["Typed twice"]
    cards_vote.refresh_from_db()
    assert cards_vote.result["eligibility"] == eligibility  # stored by the count, not made up on download


def test_visitor_can_read_the_trust_label_on_the_consultation_page(client, live, cards_vote, site_tree):  # noqa: F811
    LiveSession.objects.filter(pk=live.pk).update(consultation=site_tree.consultation_a)
    section = client.get("/en/board-a/rural-transport/").content.decode()
    section = section[section.index('class="live-sessions"') :]
    assert "Voting cards · Ballots counted: 3 (1 on paper)" in section


def test_presenter_page_carries_the_trust_label_words(client, live, facilitator):
    client.force_login(facilitator)
    page = client.get(f"/en/s/{live.code}/present/").content.decode()
    assert 'data-key="trust_open">Open vote · not verified<' in page
    assert 'data-key="trust_counted">{mode} · Ballots counted: {counted}<' in page
    assert 'data-key="mode_cards">Voting cards<' in page


def test_presenter_page_carries_the_trust_label_words_in_welsh(client, live, facilitator):
    client.force_login(facilitator)
    page = client.get(f"/cy/s/{live.code}/present/").content.decode()
    assert 'data-key="trust_open">Pleidlais agored · heb ei gwirio<' in page
    assert 'data-key="trust_counted_paper">{mode} · Pleidleisiau a gyfrifwyd: {counted} ({paper} ar bapur)<' in page
    assert 'data-key="mode_cards">Cardiau pleidleisio<' in page
