"""Undo on event day: a merge can be reversed and a mistyped paper slip voided, both with a reason, logged and counted."""

import pytest
from channels.db import database_sync_to_async

from deliberation import selectors, services
from deliberation.errors import ServiceError
from deliberation.models import Ballot, Comment, Event, Proposal
from deliberation.rules import Actor
from tests.conftest import rounds_of
from tests.deliberation.test_services import NAMES, TITLES, by_name


@pytest.fixture
def proposals(proposal_round):
    """Three participants' proposals after a closed proposal round: {name: (actor, proposal)}."""
    return by_name(proposal_round(TITLES, NAMES, close=True))


def refused(code, fn, **kwargs):
    """Call a service expecting a refusal with `code`; return the error."""
    with pytest.raises(ServiceError) as error:
        fn(**kwargs)
    assert error.value.code == code, error.value.message
    return error.value


def merged_with_comments(live, fac_actor, proposals):
    """Cerys's duplicate merged into Alys's proposal, with a comment on each; returns (kept, dup, on_dup, on_kept)."""
    r = rounds_of(live)
    (alys, kept), (cerys, duplicate) = proposals["Alys"], proposals["Cerys"]
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    on_dup = services.comment_submit(
        actor=cerys, session=live, round_id=r["comment"].pk, proposal_id=duplicate.pk, body="Twice a day would do"
    )
    on_kept = services.comment_submit(
        actor=alys, session=live, round_id=r["comment"].pk, proposal_id=kept.pk, body="Mornings matter most"
    )
    services.proposal_merge(actor=fac_actor, session=live, proposal_id=duplicate.pk, into_id=kept.pk)
    return kept, duplicate, on_dup, on_kept


# --- merge undo (services) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_facilitator_can_undo_a_merge_with_a_reason_and_comments_move_back(live, fac_actor, proposals):
    kept, duplicate, on_dup, on_kept = merged_with_comments(live, fac_actor, proposals)
    assert Comment.objects.get(pk=on_dup.pk).moved_from_id == duplicate.pk  # the merge remembers where it came from
    assert Comment.objects.get(pk=on_kept.pk).moved_from_id is None
    services.proposal_unmerge(actor=fac_actor, session=live, proposal_id=duplicate.pk, reason="Not the same idea")
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    moved_back = Comment.objects.get(pk=on_dup.pk)
    assert (moved_back.proposal_id, moved_back.moved_from_id) == (duplicate.pk, None)
    assert Comment.objects.get(pk=on_kept.pk).proposal_id == kept.pk
    event = Event.objects.get(session=live, type="proposal.unmerged")
    assert event.audience == Event.Audience.ALL
    assert event.payload["proposal"]["id"] == duplicate.pk and event.payload["proposal"]["merged_into"] is None
    assert event.payload["from"]["id"] == kept.pk
    assert event.payload["comments_moved"] == 1 and event.payload["comments"] == [on_dup.pk]
    assert event.payload["reason"] == "Not the same idea"
    assert event.actor_user_id == fac_actor.user_id
    # Usable again: it takes comments and goes on the next ballot.
    assert duplicate.pk in set(selectors.usable_proposals(live).values_list("pk", flat=True))


@pytest.mark.django_db
def test_facilitator_undo_of_a_chain_of_merges_keeps_the_earlier_merge(live, fac_actor, proposals):
    kept, duplicate, on_dup, _on_kept = merged_with_comments(live, fac_actor, proposals)
    bryn = proposals["Bryn"][1]
    services.proposal_merge(actor=fac_actor, session=live, proposal_id=kept.pk, into_id=bryn.pk)
    assert Comment.objects.get(pk=on_dup.pk).moved_from_id == duplicate.pk  # not overwritten by the second merge
    services.proposal_unmerge(actor=fac_actor, session=live, proposal_id=kept.pk, reason="Too broad")
    # Both comments come back to the proposal that holds the first merge, which still stands.
    assert set(Comment.objects.filter(proposal=kept).values_list("pk", flat=True)) == {on_dup.pk, _on_kept.pk}
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    assert Comment.objects.get(pk=on_dup.pk).moved_from_id == duplicate.pk


@pytest.mark.django_db
def test_facilitator_cannot_undo_a_merge_without_a_reason_or_of_a_proposal_not_merged(live, fac_actor, proposals):
    _kept, duplicate, on_dup, _ = merged_with_comments(live, fac_actor, proposals)
    refused("invalid", services.proposal_unmerge, actor=fac_actor, session=live, proposal_id=duplicate.pk, reason="  ")
    refused("invalid", services.proposal_unmerge, actor=fac_actor, session=live, proposal_id=duplicate.pk, reason="x" * 201)
    assert Proposal.objects.get(pk=duplicate.pk).merged_into_id is not None  # nothing changed
    refused(
        "wrong_state",
        services.proposal_unmerge,
        actor=fac_actor,
        session=live,
        proposal_id=proposals["Bryn"][1].pk,
        reason="Oops",
    )
    assert not Event.objects.filter(type="proposal.unmerged").exists()


@pytest.mark.django_db
def test_participant_cannot_undo_a_merge(live, fac_actor, proposals, make_user):
    _kept, duplicate, _on_dup, _ = merged_with_comments(live, fac_actor, proposals)
    cerys = proposals["Cerys"][0]
    refused("forbidden", services.proposal_unmerge, actor=cerys, session=live, proposal_id=duplicate.pk, reason="Mine")
    stranger = Actor(user=make_user("stranger"))
    refused("forbidden", services.proposal_unmerge, actor=stranger, session=live, proposal_id=duplicate.pk, reason="x")
    assert Proposal.objects.get(pk=duplicate.pk).merged_into_id is not None


# --- voided paper slips (services) --------------------------------------------------------------


def vote_with_slips(live, fac_actor, proposals):
    """Open the vote round; two online ballots and two paper slips. Returns (round, ids, good slip, bad slip)."""
    vote = rounds_of(live)["vote"]
    services.round_open(actor=fac_actor, session=live, round_id=vote.pk)
    ids = {name: p.pk for name, (_a, p) in proposals.items()}
    services.ballot_cast(actor=proposals["Alys"][0], session=live, round_id=vote.pk, ranking=[ids["Alys"]])
    services.ballot_cast(actor=proposals["Bryn"][0], session=live, round_id=vote.pk, ranking=[ids["Bryn"]])
    good = services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=[ids["Bryn"]], ref="p1")
    bad = services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=[ids["Cerys"]], ref="p2")
    return vote, ids, good, bad


@pytest.mark.django_db
def test_facilitator_can_void_a_paper_slip_with_a_reason_and_it_is_not_counted(live, fac_actor, proposals):
    vote, _ids, good, bad = vote_with_slips(live, fac_actor, proposals)
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=bad.pk, reason="Typed 3 for 1")
    bad.refresh_from_db()
    assert bad.voided_at is not None and bad.voided_by == fac_actor.user and bad.void_reason == "Typed 3 for 1"
    event = Event.objects.get(session=live, type="ballot.paper_voided")
    assert event.audience == Event.Audience.FACILITATORS
    assert event.payload | {"slip": None} == {
        "round": vote.pk,
        "ballots": 3,
        "paper_ballot": bad.pk,
        "reason": "Typed 3 for 1",
        "slip": None,
    }
    assert event.payload["slip"]["voided"] is True
    fac = selectors.session_state(live, fac_actor)["payload"]["facilitator"]
    assert fac["ballots"][str(vote.pk)] == 3
    slips = {s["id"]: s for s in fac["paper_slips"]}
    assert slips[bad.pk]["voided"] and slips[bad.pk]["void_reason"] == "Typed 3 for 1" and not slips[good.pk]["voided"]
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["ballots"] == 3 and vote.result["paper_ballots"] == 1


@pytest.mark.django_db
def test_facilitator_voiding_after_close_recounts(live, fac_actor, proposals):
    vote, ids, _good, _bad = vote_with_slips(live, fac_actor, proposals)
    # A third slip for Bryn, typed in error, makes Bryn the winner until it is voided.
    wrong = services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=[ids["Bryn"]], ref="p3")
    services.ballot_cast(actor=proposals["Cerys"][0], session=live, round_id=vote.pk, ranking=[ids["Alys"]])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["winners"] == ["Community car scheme"] and vote.result["ballots"] == 6
    counted = Event.objects.filter(session=live, type="round.counted").count()
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=wrong.pk, reason="Entered twice")
    vote.refresh_from_db()
    assert vote.result["ballots"] == 5
    assert Event.objects.filter(session=live, type="round.counted").count() == counted + 1
    last = Event.objects.filter(session=live, type="round.counted").latest("seq")
    assert last.payload["round"] == vote.pk and last.payload["result"]["ballots"] == 5


@pytest.mark.django_db
def test_facilitator_cannot_void_without_a_reason_an_online_ballot_twice_or_after_publishing(live, fac_actor, proposals):
    vote, _ids, good, bad = vote_with_slips(live, fac_actor, proposals)
    refused("invalid", services.ballot_void_paper, actor=fac_actor, session=live, ballot_id=bad.pk, reason=" ")
    online = Ballot.objects.filter(round=vote, is_paper=False).first()
    refused("invalid", services.ballot_void_paper, actor=fac_actor, session=live, ballot_id=online.pk, reason="No")
    refused("not_found", services.ballot_void_paper, actor=fac_actor, session=live, ballot_id=999999, reason="No")
    assert not Ballot.objects.filter(voided_at__isnull=False).exists()
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=bad.pk, reason="Mistyped")
    refused("invalid", services.ballot_void_paper, actor=fac_actor, session=live, ballot_id=bad.pk, reason="Again")
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    refused("wrong_state", services.ballot_void_paper, actor=fac_actor, session=live, ballot_id=good.pk, reason="Late")
    assert Event.objects.filter(type="ballot.paper_voided").count() == 1


@pytest.mark.django_db
def test_participant_cannot_void_a_paper_slip(live, fac_actor, proposals, make_user):
    _vote, _ids, _good, bad = vote_with_slips(live, fac_actor, proposals)
    refused(
        "forbidden",
        services.ballot_void_paper,
        actor=proposals["Alys"][0],
        session=live,
        ballot_id=bad.pk,
        reason="I do not like it",
    )
    refused(
        "forbidden",
        services.ballot_void_paper,
        actor=Actor(user=make_user("stranger")),
        session=live,
        ballot_id=bad.pk,
        reason="x",
    )
    assert Ballot.objects.get(pk=bad.pk).voided_at is None


@pytest.mark.django_db
def test_anyone_cannot_find_a_voided_slip_in_the_receipts_list(client, live, fac_actor, proposals):
    vote, _ids, good, bad = vote_with_slips(live, fac_actor, proposals)
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=bad.pk, reason="Mistyped")
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    receipts = client.get(f"/en/s/{live.code}/results/{vote.pk}.receipts").content.decode().split()
    assert good.receipt in receipts and bad.receipt not in receipts and len(receipts) == 3
    page = client.get(f"/en/s/{live.code}/results/{vote.pk}/", {"receipt": bad.receipt}).content.decode()
    assert "was counted" not in page or "No ballot" in page


@pytest.mark.django_db
def test_audit_log_has_the_undone_merge_and_the_voided_slip_with_reasons(client, live, facilitator, fac_actor, proposals):
    _kept, duplicate, _on_dup, _ = merged_with_comments(live, fac_actor, proposals)
    services.proposal_unmerge(actor=fac_actor, session=live, proposal_id=duplicate.pk, reason="Different routes")
    services.round_close(actor=fac_actor, session=live, round_id=rounds_of(live)["comment"].pk)
    _vote, _ids, _good, bad = vote_with_slips(live, fac_actor, proposals)
    services.ballot_void_paper(actor=fac_actor, session=live, ballot_id=bad.pk, reason="Slip for another table")
    client.force_login(facilitator)
    rows = client.get(f"/en/s/{live.code}/log.json").json()["events"]
    by_type = {row["type"]: row for row in rows}
    assert by_type["proposal.unmerged"]["payload"]["reason"] == "Different routes"
    assert by_type["ballot.paper_voided"]["payload"]["reason"] == "Slip for another table"


# --- over the socket and the HTTP fallback ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_facilitator_can_unmerge_and_void_over_the_socket_and_participants_see_the_unmerge(
    live, facilitator, fac_actor, proposals, connect
):
    kept, duplicate, on_dup, _ = await database_sync_to_async(merged_with_comments)(live, fac_actor, proposals)
    cerys = proposals["Cerys"][0].participant
    _, fac, _ = await connect(live.code, user=facilitator)
    _, citizen, _ = await connect(live.code, participant=cerys)
    refusal = await citizen.send("proposal.unmerge", {"id": duplicate.pk, "reason": "Mine"})
    assert refusal["type"] == "error" and refusal["code"] == "forbidden"
    missing = await fac.send("proposal.unmerge", {"id": duplicate.pk})
    assert missing["type"] == "error" and missing["code"] == "invalid"
    reply = await fac.send("proposal.unmerge", {"id": duplicate.pk, "reason": "Different"})
    assert reply == {"type": "ack", "ref": reply["ref"], "payload": {"id": duplicate.pk}}
    event = await citizen.event("proposal.unmerged")
    assert event["payload"]["proposal"]["merged_into"] is None and event["payload"]["comments"] == [on_dup.pk]

    vote, _ids, _good, bad = await database_sync_to_async(_vote_after_comments)(live, fac_actor, proposals)
    refusal = await citizen.send("ballot.void_paper", {"id": bad.pk, "reason": "No"})
    assert refusal["type"] == "error" and refusal["code"] == "forbidden"
    reply = await fac.send("ballot.void_paper", {"id": bad.pk, "reason": "Mistyped"})
    assert reply["type"] == "ack" and reply["payload"] == {"id": bad.pk}
    voided = await fac.event("ballot.paper_voided")
    assert voided["payload"]["paper_ballot"] == bad.pk and voided["payload"]["ballots"] == 3
    for client in (fac, citizen):
        await client.close()


def _vote_after_comments(live, fac_actor, proposals):
    services.round_close(actor=fac_actor, session=live, round_id=rounds_of(live)["comment"].pk)
    return vote_with_slips(live, fac_actor, proposals)


@pytest.mark.django_db
def test_facilitator_can_unmerge_and_void_without_javascript(client, live, facilitator, fac_actor, proposals):
    _kept, duplicate, _on_dup, _ = merged_with_comments(live, fac_actor, proposals)
    client.force_login(facilitator)
    url, back = f"/en/s/{live.code}/act/", f"/en/s/{live.code}/facilitate/"
    response = client.post(url, {"action": "proposal.unmerge", "id": duplicate.pk, "reason": "", "next": back}, follow=True)
    assert Proposal.objects.get(pk=duplicate.pk).merged_into_id is not None
    assert "message--error" in response.content.decode()
    client.post(url, {"action": "proposal.unmerge", "id": duplicate.pk, "reason": "Two ideas", "next": back})
    assert Proposal.objects.get(pk=duplicate.pk).merged_into_id is None
    _vote, _ids, _good, bad = _vote_after_comments(live, fac_actor, proposals)
    response = client.post(url, {"action": "ballot.void_paper", "id": bad.pk, "reason": "Mistyped", "next": back}, follow=True)
    assert Ballot.objects.get(pk=bad.pk).voided_at is not None
    assert "The paper slip is voided" in response.content.decode()
