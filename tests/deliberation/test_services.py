"""Services: state changes, moderation in the open, ballots and counting, refusals that change nothing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation import selectors, services
from deliberation.errors import ServiceError
from deliberation.models import Ballot, Comment, Event, Proposal, Round
from deliberation.rules import Actor
from tests.conftest import Ideas, rounds_of

pytestmark = pytest.mark.django_db


NAMES = ("Alys", "Bryn", "Cerys")
TITLES = ("Bus to the surgery", "Community car scheme", "Bus to surgery")


def by_name(ideas: Ideas) -> dict[str, tuple[Actor, Proposal]]:
    """Each author's name -> (author, their proposal)."""
    return dict(zip(NAMES, zip(ideas.authors, ideas.proposals, strict=True), strict=True))


@pytest.fixture
def proposals(proposal_round):
    """Three participants' proposals after a closed proposal round."""
    return by_name(proposal_round(TITLES, NAMES, close=True))


def refused(code, fn, **kwargs):
    """Call a service expecting a refusal with `code`; return the error."""
    with pytest.raises(ServiceError) as error:
        fn(**kwargs)
    assert error.value.code == code, error.value.message
    return error.value


def test_participant_cannot_propose_when_round_not_open_or_wrong_kind(live, join):
    _p, actor = join("Alys")
    r = rounds_of(live)
    refused("round_not_open", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="x")
    refused("wrong_round", services.proposal_submit, actor=actor, session=live, round_id=r["vote"].pk, title="x")
    refused("not_found", services.proposal_submit, actor=actor, session=live, round_id=99999, title="x")
    assert Proposal.objects.count() == 0


def test_participant_cannot_propose_empty_or_too_long(live, fac_actor, join):
    _p, actor = join("Alys")
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    refused("invalid", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="   ")
    refused("invalid", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="x" * 141)
    refused(
        "invalid", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="ok", body="y" * 1001
    )
    assert Proposal.objects.count() == 0


def test_participant_cannot_exceed_the_limit_per_participant(live, fac_actor, join):
    r = rounds_of(live)
    r["proposal"].max_per_participant = 1
    r["proposal"].save()
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    _p, actor = join("Alys")
    services.proposal_submit(actor=actor, session=live, round_id=r["proposal"].pk, title="One")
    refused("limit_reached", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="Two")


def test_participant_flood_of_proposals_is_rate_limited(live, fac_actor, join):
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    _p, actor = join("Alys")
    for i in range(services.CONTRIBUTIONS_PER_MINUTE):
        services.proposal_submit(actor=actor, session=live, round_id=r["proposal"].pk, title=f"Idea {i}")
    refused("rate_limited", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="More")
    assert Proposal.objects.count() == services.CONTRIBUTIONS_PER_MINUTE


def test_participant_cannot_propose_after_the_timer(live, fac_actor, join):
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk, minutes=5)
    Round.objects.filter(pk=r["proposal"].pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    _p, actor = join("Alys")
    refused("time_up", services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="Late")


def test_facilitator_cannot_open_two_rounds_or_reopen_a_closed_one(live, fac_actor, proposals):
    r = rounds_of(live)
    refused("wrong_state", services.round_open, actor=fac_actor, session=live, round_id=r["proposal"].pk)
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    refused("another_round_open", services.round_open, actor=fac_actor, session=live, round_id=r["vote"].pk)
    refused("wrong_state", services.round_publish, actor=fac_actor, session=live, round_id=r["vote"].pk)


def test_facilitator_can_hide_with_public_reason_and_restore(live, fac_actor, proposals):
    _actor, proposal = proposals["Bryn"]
    refused("invalid", services.proposal_hide, actor=fac_actor, session=live, proposal_id=proposal.pk, reason=" ")
    refused("invalid", services.proposal_hide, actor=fac_actor, session=live, proposal_id=proposal.pk, reason="x" * 201)
    refused("wrong_state", services.proposal_restore, actor=fac_actor, session=live, proposal_id=proposal.pk)
    services.proposal_hide(actor=fac_actor, session=live, proposal_id=proposal.pk, reason="Personal information")
    public = selectors.proposal_public(Proposal.objects.get(pk=proposal.pk))
    assert public["hidden"] and public["reason"] == "personal"
    assert "title" not in public  # the stub shows the reason, never the hidden text
    services.proposal_restore(actor=fac_actor, session=live, proposal_id=proposal.pk)
    assert selectors.proposal_public(Proposal.objects.get(pk=proposal.pk))["title"] == "Community car scheme"


def test_facilitator_can_merge_duplicates_and_comments_move(live, fac_actor, proposals):
    r = rounds_of(live)
    (_a, kept), (cerys, duplicate) = proposals["Alys"], proposals["Cerys"]
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    comment = services.comment_submit(
        actor=cerys, session=live, round_id=r["comment"].pk, proposal_id=duplicate.pk, body="Twice a day would do", stance="for"
    )
    services.proposal_merge(actor=fac_actor, session=live, proposal_id=duplicate.pk, into_id=kept.pk)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    assert Comment.objects.get(pk=comment.pk).proposal_id == kept.pk
    event = Event.objects.get(session=live, type="proposal.merged")
    assert event.payload["into"]["id"] == kept.pk and event.payload["comments_moved"] == 1
    refused("not_found", services.proposal_merge, actor=fac_actor, session=live, proposal_id=duplicate.pk, into_id=kept.pk)
    # Merged proposals no longer take comments and are not on the ballot.
    refused(
        "not_found",
        services.comment_submit,
        actor=cerys,
        session=live,
        round_id=r["comment"].pk,
        proposal_id=duplicate.pk,
        body="Again",
    )
    services.round_close(actor=fac_actor, session=live, round_id=r["comment"].pk)
    services.round_open(actor=fac_actor, session=live, round_id=r["vote"].pk)
    assert duplicate.pk not in set(r["vote"].ballot_proposals.values_list("pk", flat=True))


def test_facilitator_merge_event_lists_the_comments_moved_replies_included(live, fac_actor, proposals):
    r = rounds_of(live)
    (_a, kept), (bryn, other), (cerys, duplicate) = proposals["Alys"], proposals["Bryn"], proposals["Cerys"]
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    comment = services.comment_submit(actor=cerys, session=live, round_id=r["comment"].pk, proposal_id=duplicate.pk, body="Yes")
    reply = services.comment_submit(
        actor=bryn, session=live, round_id=r["comment"].pk, proposal_id=duplicate.pk, body="Agreed", parent_id=comment.pk
    )
    services.comment_submit(actor=bryn, session=live, round_id=r["comment"].pk, proposal_id=other.pk, body="Elsewhere")
    services.proposal_merge(actor=fac_actor, session=live, proposal_id=duplicate.pk, into_id=kept.pk)
    payload = Event.objects.get(session=live, type="proposal.merged").payload
    assert payload["comments"] == sorted([comment.pk, reply.pk]) and payload["comments_moved"] == 2


def test_facilitator_reorder_event_gives_each_draft_its_new_position(live, fac_actor):
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)  # no longer a draft: keeps place 1
    services.round_reorder(actor=fac_actor, session=live, order=[r["vote"].pk, r["comment"].pk])
    payload = Event.objects.get(session=live, type="round.reordered").payload
    assert payload["order"] == [r["vote"].pk, r["comment"].pk]
    assert payload["positions"] == {str(r["vote"].pk): 2, str(r["comment"].pk): 3}
    run_of_show = list(live.rounds.order_by("position").values_list("pk", flat=True))
    assert run_of_show == [r["proposal"].pk, r["vote"].pk, r["comment"].pk]


def test_facilitator_preset_reasons_are_stored_as_codes_in_any_language_and_free_text_as_written(live, fac_actor, proposals):
    from django.utils import translation

    from deliberation.templatetags.cyd_live import hide_reason

    (_a, alys), (_b, bryn), (_c, cerys) = proposals["Alys"], proposals["Bryn"], proposals["Cerys"]
    services.proposal_hide(actor=fac_actor, session=live, proposal_id=alys.pk, reason="Hysbysebu neu sbam")
    services.proposal_hide(actor=fac_actor, session=live, proposal_id=bryn.pk, reason="  off topic ")
    services.proposal_hide(actor=fac_actor, session=live, proposal_id=cerys.pk, reason="Duplicate of the first")
    reasons = dict(Proposal.objects.values_list("pk", "hidden_reason"))
    assert reasons == {alys.pk: "spam", bryn.pk: "off_topic", cerys.pk: "Duplicate of the first"}
    with translation.override("cy"):
        assert hide_reason("spam") == "Hysbysebu neu sbam"
    with translation.override("en"):
        assert hide_reason("spam") == "Advertising or spam" and hide_reason("Duplicate of the first") == "Duplicate of the first"


def test_facilitator_can_edit_a_title_and_the_original_is_kept(live, fac_actor, proposals):
    _a, proposal = proposals["Alys"]
    services.proposal_edit_title(actor=fac_actor, session=live, proposal_id=proposal.pk, title="A bus to the GP surgery")
    services.proposal_edit_title(actor=fac_actor, session=live, proposal_id=proposal.pk, title="Bus to the GP")
    public = selectors.proposal_public(Proposal.objects.get(pk=proposal.pk))
    assert public["edited"] and public["original_title"] == "Bus to the surgery" and public["title"] == "Bus to the GP"


def test_participant_replies_only_one_level_deep(live, fac_actor, proposals):
    r = rounds_of(live)
    alys, proposal = proposals["Alys"]
    bryn, _ = proposals["Bryn"]
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    top = services.comment_submit(actor=alys, session=live, round_id=r["comment"].pk, proposal_id=proposal.pk, body="Why?")
    reply = services.comment_submit(
        actor=bryn, session=live, round_id=r["comment"].pk, proposal_id=proposal.pk, body="Because", parent_id=top.pk
    )
    refused(
        "invalid",
        services.comment_submit,
        actor=alys,
        session=live,
        round_id=r["comment"].pk,
        proposal_id=proposal.pk,
        body="Deeper",
        parent_id=reply.pk,
    )
    refused(
        "invalid",
        services.comment_submit,
        actor=alys,
        session=live,
        round_id=r["comment"].pk,
        proposal_id=proposal.pk,
        body="Stance?",
        stance="maybe",
    )


def test_participant_flag_is_private_to_facilitators_and_once_only(live, fac_actor, proposals):
    alys, _ = proposals["Alys"]
    _b, target = proposals["Bryn"]
    services.flag_submit(actor=alys, session=live, proposal_id=target.pk, reason="Has a phone number")
    services.flag_submit(actor=alys, session=live, proposal_id=target.pk, reason="Again")
    events = Event.objects.filter(session=live, type="flag.submitted")
    assert events.count() == 1 and events.get().audience == "facilitators"
    participant_view = selectors.session_state(live, alys)
    assert "facilitator" not in participant_view["payload"]
    fac_view = selectors.session_state(live, fac_actor)
    assert [f["proposal"] for f in fac_view["payload"]["facilitator"]["flags"]] == [target.pk]


def vote(open_vote, method=None, seats=None):
    """Open the vote round on the three proposals; returns the round, name -> proposal id, and `proposals`."""
    opened = open_vote(TITLES, NAMES, method=method, seats=seats)
    proposals = by_name(opened.ideas)
    return opened.round, {name: p.pk for name, (_a, p) in proposals.items()}, proposals


def test_results_are_hidden_until_close_then_published(live, fac_actor, open_vote):
    round_, ids, proposals = vote(open_vote)
    alys, bryn, cerys = (proposals[n][0] for n in ("Alys", "Bryn", "Cerys"))
    services.ballot_cast(actor=alys, session=live, round_id=round_.pk, ranking=[ids["Alys"], ids["Cerys"]])
    services.ballot_cast(actor=bryn, session=live, round_id=round_.pk, ranking=[ids["Bryn"]])
    services.ballot_cast(actor=cerys, session=live, round_id=round_.pk, ranking=[ids["Cerys"], ids["Alys"]])
    services.ballot_cast(actor=cerys, session=live, round_id=round_.pk, ranking=[ids["Alys"], ids["Cerys"]])  # changed
    services.ballot_enter_paper(actor=fac_actor, session=live, round_id=round_.pk, ranking=[ids["Alys"], ids["Bryn"]])
    for viewer in (fac_actor, alys):
        state = selectors.session_state(live, viewer)["payload"]
        assert all("result" not in r for r in state["rounds"])
    services.round_close(actor=fac_actor, session=live, round_id=round_.pk)
    assert "result" not in next(r for r in selectors.session_state(live, alys)["payload"]["rounds"] if r["id"] == round_.pk)
    fac_round = next(r for r in selectors.session_state(live, fac_actor)["payload"]["rounds"] if r["id"] == round_.pk)
    result = fac_round["result"]
    assert result["ballots"] == 4 and result["paper_ballots"] == 1
    assert result["winners"] == ["Bus to the surgery"]  # 3 of 4 first preferences once Cerys changed hers
    assert len(result["stages"]) >= 1
    refused("round_not_open", services.ballot_cast, actor=alys, session=live, round_id=round_.pk, ranking=[ids["Bryn"]])
    services.round_publish(actor=fac_actor, session=live, round_id=round_.pk)
    public = next(r for r in selectors.session_state(live, alys)["payload"]["rounds"] if r["id"] == round_.pk)
    assert public["result"]["winners"] == ["Bus to the surgery"]


def test_participant_ballot_is_one_per_round_by_constraint(live, fac_actor, open_vote):
    round_, ids, proposals = vote(open_vote)
    alys = proposals["Alys"][0]
    services.ballot_cast(actor=alys, session=live, round_id=round_.pk, ranking=[ids["Alys"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(round=round_, participant=alys.participant, ranking=[ids["Bryn"]])


def test_facilitator_paper_ballot_retry_is_not_counted_twice(live, fac_actor, open_vote):
    round_, ids, proposals = vote(open_vote)
    for _ in range(2):
        services.ballot_enter_paper(actor=fac_actor, session=live, round_id=round_.pk, ranking=[ids["Bryn"]], ref="slip-1")
    assert Ballot.objects.filter(is_paper=True).count() == 1
    paper = Ballot.objects.get(is_paper=True)
    assert paper.entered_by == fac_actor.user and paper.participant is None


@pytest.mark.parametrize("method,seats", [("stv", 2), ("schulze", 1), ("borda", 1)])
def test_facilitator_close_counts_with_each_method(live, fac_actor, open_vote, method, seats):
    round_, ids, proposals = vote(open_vote, method=method, seats=seats)
    for name, (actor, _p) in proposals.items():
        services.ballot_cast(
            actor=actor, session=live, round_id=round_.pk, ranking=[ids[name]] + [i for n, i in ids.items() if n != name]
        )
    services.round_close(actor=fac_actor, session=live, round_id=round_.pk)
    round_.refresh_from_db()
    assert round_.result["method"].startswith(method)
    assert len(round_.result["winners"]) == seats


def test_event_log_seq_is_gap_free_and_ordered(live, fac_actor, proposals):
    seqs = list(Event.objects.filter(session=live).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    live.refresh_from_db()
    assert live.last_seq == seqs[-1]


def test_event_log_keeps_the_seq_of_the_last_public_event(live, fac_actor, proposals, join):
    public = list(Event.objects.filter(session=live, audience=Event.Audience.ALL).values_list("seq", flat=True))
    join("Dylan")  # facilitator-only: the public stream does not move
    live.refresh_from_db()
    assert live.last_public_seq == public[-1] < live.last_seq


def test_participant_rename_and_anonymous_label(live, join):
    participant, actor = join("")
    assert selectors.participant_summary(participant)["name"] == ""  # each viewer labels it in their language
    actor = Actor(participant=services.participant_rename(actor=actor, session=live, name="  Dafydd "))
    assert actor.participant.display_name == "Dafydd"
    refused("invalid", services.participant_rename, actor=actor, session=live, name="x" * 61)
