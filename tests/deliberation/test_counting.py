"""Counting a vote: method × seats checked where rounds are made, and no count problem ever jams a round."""

import json
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from deliberation import counting, services
from deliberation.errors import ServiceError
from deliberation.models import Ballot, Event, Round
from tests.conftest import rounds_of
from tests.deliberation.test_admin import ADD, form_data, session_editor  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def refused(code, fn, **kwargs):
    """Call a service expecting a refusal with `code`; return the error."""
    with pytest.raises(ServiceError) as error:
        fn(**kwargs)
    assert error.value.code == code, error.value.message
    return error.value


TITLES = ("Bus to the surgery", "Community car scheme", "Cycle path")
VOTERS = ("Alys", "Bryn", "Cerys")


@pytest.fixture
def voting(open_vote):
    """The vote round (IRV, one winner) open on those three proposals; `.authors` are the voters."""
    return open_vote(TITLES, VOTERS)


def counted_events(live):
    """The payloads of the session's round.counted events, oldest first."""
    return [e.payload for e in Event.objects.filter(session=live, type="round.counted").order_by("seq")]


# --- method × seats where rounds are made ---------------------------------------------------


@pytest.mark.parametrize("method", ["irv", "schulze", "borda"])
def test_facilitator_cannot_create_a_single_winner_round_with_two_seats(live, fac_actor, method):
    with pytest.raises(ValidationError) as error:
        Round(session=live, kind="vote", title="Pick", method=method, seats=2).full_clean()
    assert "seats" in error.value.message_dict
    err = refused(
        "invalid", services.round_create, actor=fac_actor, session=live, kind="vote", title="Pick", method=method, seats=2
    )
    assert "one winner" in str(err.message)
    assert not live.rounds.filter(title="Pick").exists()


def test_facilitator_cannot_change_a_draft_to_irv_with_three_seats(live, fac_actor):
    vote = rounds_of(live)["vote"]
    vote.seats = 3
    with pytest.raises(ValidationError) as error:
        vote.full_clean()
    assert "seats" in error.value.message_dict
    vote.refresh_from_db()
    assert vote.seats == 1
    vote.method, vote.seats = "stv", 2
    vote.full_clean()


def test_facilitator_cannot_ask_for_as_many_winners_as_proposals_on_the_ballot(live, fac_actor, proposal_round):
    ids = proposal_round(TITLES, VOTERS, close=True).ids
    vote = rounds_of(live)["vote"]
    vote.ballot_proposals.set(ids)
    vote.method, vote.seats = "stv", 3
    with pytest.raises(ValidationError) as error:
        vote.full_clean()
    assert "more proposals on the ballot than winners" in error.value.message_dict["seats"][0]
    vote.seats = 0
    with pytest.raises(ValidationError) as error:
        vote.full_clean()
    assert "seats" in error.value.message_dict


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_facilitator_cannot_create_an_irv_round_with_two_seats_over_the_socket(live, facilitator, connect):
    _, fac, _ = await connect(live.code, user=facilitator)
    reply = await fac.send("round.create", {"kind": "vote", "title": "Pick two", "method": "irv", "seats": 2})
    assert reply["type"] == "error" and reply["code"] == "invalid"
    assert "one winner" in reply["message"]
    ok = await fac.send("round.create", {"kind": "vote", "title": "Pick two", "method": "stv", "seats": 2})
    assert ok["type"] == "ack"
    await fac.close()


def test_editor_cannot_add_an_irv_round_with_two_seats_in_wagtail(client, session_editor, facilitator):  # noqa: F811
    client.force_login(session_editor)
    rounds = [{"kind": "vote", "title": "Decide", "prompt": "", "max_per_participant": "", "method": "irv", "seats": "2"}]
    response = client.post(ADD, form_data("Green spaces workshop", rounds, facilitator))
    assert response.status_code == 200  # the form comes back with the error
    assert "Instant runoff elects one winner" in response.content.decode()
    assert not Round.objects.filter(title="Decide").exists()


# --- closing always closes; a failed count is reported, recounted, never published -----------


def legacy_irv_with_two_seats(live, open_vote):
    """A vote round saved before the rule existed (IRV, 2 seats), opened, with one ballot."""
    opened = open_vote(TITLES, VOTERS, method="irv", seats=2)  # saved unchecked, as old data was
    voters, ids, vote = opened.authors, opened.ids, opened.round
    services.ballot_cast(actor=voters[0], session=live, round_id=vote.pk, ranking=[ids[0], ids[1]])
    services.ballot_cast(actor=voters[1], session=live, round_id=vote.pk, ranking=[ids[1]])
    services.ballot_cast(actor=voters[2], session=live, round_id=vote.pk, ranking=[ids[2], ids[0]])
    return opened


def test_facilitator_close_always_closes_and_reports_a_failed_count(live, fac_actor, open_vote):
    vote = legacy_irv_with_two_seats(live, open_vote).round
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.state == Round.State.CLOSED
    assert vote.result["outcome"] == "count_failed" and vote.result["problem"] == "engine_error"
    assert "irv elects one candidate" in vote.result["detail"] and vote.result["winners"] == []
    types = list(Event.objects.filter(session=live).order_by("-seq").values_list("type", flat=True)[:2])
    assert types == ["round.counted", "round.closed"]
    assert counted_events(live)[-1]["result"]["outcome"] == "count_failed"
    # The session is not jammed: another round can open.
    extra = services.round_create(actor=fac_actor, session=live, kind="proposal", title="More ideas")
    services.round_open(actor=fac_actor, session=live, round_id=extra.pk)


def test_facilitator_cannot_publish_a_failed_count(live, fac_actor, open_vote):
    vote = legacy_irv_with_two_seats(live, open_vote).round
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    err = refused("count_failed", services.round_publish, actor=fac_actor, session=live, round_id=vote.pk)
    assert "count again" in str(err.message)
    vote.refresh_from_db()
    assert vote.state == Round.State.CLOSED


def test_facilitator_can_recount_a_failed_count_with_stv_and_publish(live, fac_actor, open_vote):
    vote = legacy_irv_with_two_seats(live, open_vote).round
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    refused("invalid", services.round_recount, actor=fac_actor, session=live, round_id=vote.pk, method="irv", seats=2)
    services.round_recount(actor=fac_actor, session=live, round_id=vote.pk, method="stv", seats=2)
    vote.refresh_from_db()
    assert (vote.method, vote.seats) == ("stv", 2)
    assert vote.result["outcome"] == "elected" and len(vote.result["winners"]) == 2
    last = counted_events(live)[-1]
    assert last["method"] == "stv" and last["seats"] == 2 and last["result"]["outcome"] == "elected"
    assert Event.objects.filter(session=live, type="round.counted").latest("seq").audience == "facilitators"
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)


def test_facilitator_can_recount_with_the_same_method(live, fac_actor, voting):
    voters, ids, vote = voting.authors, voting.ids, voting.round
    services.ballot_cast(actor=voters[0], session=live, round_id=vote.pk, ranking=[ids[0]])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_recount(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["outcome"] == "elected" and vote.result["winners"] == ["Bus to the surgery"]
    assert counted_events(live)[-1]["method"] == "irv"


def test_participant_cannot_recount(live, fac_actor, voting):
    voters, vote = voting.authors, voting.round
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    refused("forbidden", services.round_recount, actor=voters[0], session=live, round_id=vote.pk)


def test_facilitator_cannot_recount_an_open_or_published_round(live, fac_actor, voting):
    voters, ids, vote = voting.authors, voting.ids, voting.round
    refused("wrong_state", services.round_recount, actor=fac_actor, session=live, round_id=vote.pk)
    services.ballot_cast(actor=voters[0], session=live, round_id=vote.pk, ranking=[ids[0]])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    refused("wrong_state", services.round_recount, actor=fac_actor, session=live, round_id=vote.pk)
    refused("wrong_round", services.round_recount, actor=fac_actor, session=live, round_id=rounds_of(live)["proposal"].pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_facilitator_can_recount_over_the_socket(live, facilitator, fac_actor, open_vote, connect):
    vote = (await database_sync_to_async(legacy_irv_with_two_seats)(live, open_vote)).round
    await database_sync_to_async(services.round_close)(actor=fac_actor, session=live, round_id=vote.pk)
    _, fac, _ = await connect(live.code, user=facilitator)
    reply = await fac.send("round.recount", {"round": vote.pk, "method": "stv", "seats": 2})
    assert reply["type"] == "ack", reply
    counted = await fac.event("round.counted")
    assert counted["payload"]["result"]["outcome"] == "elected"
    await fac.close()


# --- no ballots, too few ballots, voided slips -----------------------------------------------


def test_facilitator_close_with_no_ballots_gives_no_result(live, fac_actor, voting):
    vote = voting.round
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["outcome"] == "no_result" and vote.result["problem"] == "no_ballots"
    assert vote.result["winners"] == [] and vote.result["ballots_counted"] == 0
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)  # "no result" can be published


def test_facilitator_close_with_fewer_ballots_than_seats_gives_no_result(live, fac_actor, open_vote):
    opened = open_vote(TITLES, VOTERS, method="stv", seats=2)  # a draft's method and seats, as the admin saves them
    voters, ids, vote = opened.authors, opened.ids, opened.round
    services.ballot_cast(actor=voters[0], session=live, round_id=vote.pk, ranking=[ids[0], ids[1]])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    assert vote.result["outcome"] == "no_result" and vote.result["problem"] == "too_few_ballots"
    assert vote.result["winners"] == [] and vote.result["ballots_counted"] == 1


def test_voided_paper_slips_are_never_counted(live, fac_actor, voting):
    voters, ids, vote = voting.authors, voting.ids, voting.round
    services.ballot_cast(actor=voters[0], session=live, round_id=vote.pk, ranking=[ids[0]])
    for _ in range(2):
        slip = services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=[ids[1]])
        Ballot.objects.filter(pk=slip.pk).update(voided_at=timezone.now(), void_reason="typed wrongly")
    result = counting.count_round(vote)
    assert result["outcome"] == "elected" and result["winners"] == ["Bus to the surgery"]
    assert result["ballots_counted"] == 1 and result["paper_ballots"] == 0


def test_count_round_never_raises_for_an_engine_error(live, open_vote):
    opened = legacy_irv_with_two_seats(live, open_vote)
    vote = opened.round
    vote.refresh_from_db()
    result = counting.count_round(vote)
    assert (result["outcome"], result["problem"], result["winners"]) == ("count_failed", "engine_error", [])
    assert result["ballots_counted"] == 3 and result["proposal_ids"] == sorted(opened.ids)


# --- manage.py recount: read-only ---------------------------------------------------------------


def closed_vote(live, fac_actor, voting):
    """The vote round (IRV, one winner) closed after three ballots."""
    voters, ids, vote = voting.authors, voting.ids, voting.round
    for voter, ranking in zip(voters, ([ids[0], ids[1]], [ids[1]], [ids[2], ids[0]]), strict=True):
        services.ballot_cast(actor=voter, session=live, round_id=vote.pk, ranking=ranking)
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    return vote


def test_operator_recount_prints_exactly_the_stored_count(live, fac_actor, voting):
    vote = closed_vote(live, fac_actor, voting)
    out = StringIO()
    call_command("recount", vote.pk, "--json", stdout=out)
    assert json.loads(out.getvalue()) == vote.result


def test_operator_can_recount_with_another_method_and_nothing_changes(live, fac_actor, voting):
    vote = closed_vote(live, fac_actor, voting)
    stored, events = vote.result, Event.objects.filter(session=live).count()
    out = StringIO()
    call_command("recount", vote.pk, "--method", "stv", "--seats", "2", stdout=out)
    assert "Method: stv-scottish   Seats: 2" in out.getvalue() and "Stage 1: count first preferences" in out.getvalue()
    assert "Elected: " in out.getvalue()
    vote.refresh_from_db()
    assert (vote.method, vote.seats, vote.result) == ("irv", 1, stored)
    assert Event.objects.filter(session=live).count() == events


def test_operator_cannot_recount_an_open_round_or_with_a_method_that_cannot_elect_that_many(live, fac_actor, voting):
    vote = voting.round
    with pytest.raises(CommandError, match="only a closed or published round"):
        call_command("recount", vote.pk, stdout=StringIO())
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    with pytest.raises(CommandError, match="elects one winner"):
        call_command("recount", vote.pk, "--seats", "2", stdout=StringIO())
    with pytest.raises(CommandError, match="No vote round"):
        call_command("recount", rounds_of(live)["proposal"].pk, stdout=StringIO())


def test_operator_recount_of_a_round_without_ballots_says_why_there_is_no_result(live, fac_actor, voting):
    vote = voting.round
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    out = StringIO()
    call_command("recount", vote.pk, stdout=out)
    assert out.getvalue() == "No ballots were cast, so no proposal was chosen. (no valid ballots)\n"
