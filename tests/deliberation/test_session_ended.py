"""An ended session takes nothing more from participants; a retried ballot that counted is still acknowledged."""

import pytest

from deliberation import protocol, services
from deliberation.errors import ServiceError
from deliberation.models import Ballot, Comment, Flag, LiveSession, Proposal
from tests.conftest import rounds_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(live, fac_actor, proposal_round):
    """A participant, a proposal and a comment from rounds now closed; the vote round still a draft."""
    r = rounds_of(live)
    ideas = proposal_round(("Bus to the surgery", "Community car scheme"), "Alys", close=True)
    proposal, actor = ideas.proposals[0], ideas.authors[0]
    participant = actor.participant
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    comment = services.comment_submit(
        actor=actor, session=live, round_id=r["comment"].pk, proposal_id=proposal.pk, body="Yes please"
    )
    services.round_close(actor=fac_actor, session=live, round_id=r["comment"].pk)
    return {"rounds": r, "participant": participant, "actor": actor, "proposal": proposal, "comment": comment}


def refused_as_ended(fn, **kwargs):
    """Call a participant service in an ended session: refused with `session_ended`."""
    with pytest.raises(ServiceError) as error:
        fn(**kwargs)
    assert error.value.code == "session_ended", error.value.message
    assert "ended" in str(error.value.message)


def test_participant_cannot_act_in_a_session_the_facilitator_ended(live, fac_actor, scene):
    services.session_end(actor=fac_actor, session=live)
    actor, r = scene["actor"], scene["rounds"]
    counts = (Proposal.objects.count(), Comment.objects.count(), Flag.objects.count())
    refused_as_ended(services.proposal_submit, actor=actor, session=live, round_id=r["proposal"].pk, title="Late idea")
    refused_as_ended(
        services.comment_submit,
        actor=actor,
        session=live,
        round_id=r["comment"].pk,
        proposal_id=scene["proposal"].pk,
        body="Late comment",
    )
    refused_as_ended(services.flag_submit, actor=actor, session=live, proposal_id=scene["proposal"].pk)
    refused_as_ended(services.flag_submit, actor=actor, session=live, comment_id=scene["comment"].pk)
    refused_as_ended(services.participant_rename, actor=actor, session=live, name="Someone else")
    assert (Proposal.objects.count(), Comment.objects.count(), Flag.objects.count()) == counts
    scene["participant"].refresh_from_db()
    assert scene["participant"].display_name == "Alys"


def test_anyone_cannot_join_or_rejoin_a_session_the_facilitator_ended(live, fac_actor, scene):
    services.session_end(actor=fac_actor, session=live)
    count = live.participants.count()
    with pytest.raises(ServiceError) as error:
        services.participant_join(session=live, display_name="Late")
    assert error.value.code == "session_ended"
    assert str(error.value.message) == "This session has ended. Thank you to everyone who took part."
    refused_as_ended(services.participant_join, session=live, participant_id=scene["participant"].pk)
    assert live.participants.count() == count


def test_participant_cannot_vote_in_an_ended_session_even_with_a_round_left_open(live, fac_actor, scene):
    """Sessions ended outside the console (the demo's past workshop, the admin) can still hold an open round."""
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["vote"].pk)
    LiveSession.objects.filter(pk=live.pk).update(status=LiveSession.Status.ENDED)
    ranking = [scene["proposal"].pk]
    refused_as_ended(services.ballot_cast, actor=scene["actor"], session=live, round_id=r["vote"].pk, ranking=ranking)
    assert Ballot.objects.count() == 0


def test_participant_cannot_act_in_an_ended_session_over_the_protocol(live, fac_actor, scene):
    """The socket and the HTTP fallback answer with the same stable code and a message that says why."""
    services.session_end(actor=fac_actor, session=live)
    with pytest.raises(ServiceError) as error:
        protocol.dispatch(scene["actor"], live, "flag.submit", {"proposal": scene["proposal"].pk}, "ref-flag")
    reply = error.value.as_reply("ref-flag")
    assert reply["code"] == "session_ended" and reply["message"]


def test_participant_can_still_act_while_the_session_is_live(live, fac_actor, scene):
    services.flag_submit(actor=scene["actor"], session=live, proposal_id=scene["proposal"].pk)
    services.participant_rename(actor=scene["actor"], session=live, name="Alys Jones")
    assert Flag.objects.count() == 1


def test_participant_can_retry_a_ballot_that_counted_after_the_round_closed(live, fac_actor, scene):
    """A resent ballot (same ref, its ack lost with the connection) is acknowledged, not refused: it counted."""
    r = scene["rounds"]
    services.round_open(actor=fac_actor, session=live, round_id=r["vote"].pk)
    ranking = [scene["proposal"].pk]
    first = services.ballot_cast(actor=scene["actor"], session=live, round_id=r["vote"].pk, ranking=ranking, ref="b-1")
    services.round_close(actor=fac_actor, session=live, round_id=r["vote"].pk)
    again = services.ballot_cast(actor=scene["actor"], session=live, round_id=r["vote"].pk, ranking=ranking, ref="b-1")
    assert again.pk == first.pk and again.receipt == first.receipt
    services.session_end(actor=fac_actor, session=live)
    again = services.ballot_cast(actor=scene["actor"], session=live, round_id=r["vote"].pk, ranking=ranking, ref="b-1")
    assert again.pk == first.pk


def test_participant_cannot_cast_a_new_ballot_after_the_round_closed(live, fac_actor, scene):
    """Only the exact ballot already recorded is acknowledged again: a different ref or ranking is refused."""
    r = scene["rounds"]
    services.round_open(actor=fac_actor, session=live, round_id=r["vote"].pk)
    ranking = [scene["proposal"].pk]
    services.ballot_cast(actor=scene["actor"], session=live, round_id=r["vote"].pk, ranking=ranking, ref="b-1")
    services.round_close(actor=fac_actor, session=live, round_id=r["vote"].pk)
    for ref, changed in (("b-2", ranking), ("b-1", ranking[::-1] + [p.pk for p in Proposal.objects.exclude(pk=ranking[0])])):
        with pytest.raises(ServiceError) as error:
            services.ballot_cast(actor=scene["actor"], session=live, round_id=r["vote"].pk, ranking=changed, ref=ref)
        assert error.value.code == "round_not_open"
    assert Ballot.objects.get().ranking == ranking


def test_participant_cannot_flag_in_an_ended_session_without_javascript(client, live, fac_actor, scene):
    """The page rendered after the end offers no actions, and the form fallback says why it refuses."""
    client.post(f"/en/s/{live.code}/", {"name": "Bryn"})
    services.session_end(actor=fac_actor, session=live)
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert '<h2 id="current-heading" data-slot="title">This session has ended</h2>' in page
    assert 'data-slot="flag-button" hidden' in page and 'id="you" hidden' in page
    fields = {"action": "flag.submit", "proposal": scene["proposal"].pk}
    done = client.post(f"/en/s/{live.code}/act/", fields, follow=True).content.decode()
    assert "This session has ended: it takes no more proposals" in done
    assert "message--error" in done and "message--success" not in done
    assert Flag.objects.count() == 0


def test_visitor_sees_when_a_session_starts_and_what_will_happen(client, live):
    """Start time in UK time and the planned rounds by kind, never the titles of rounds being prepared."""
    from datetime import UTC, datetime

    LiveSession.objects.filter(pk=live.pk).update(starts_at=datetime(2030, 1, 9, 18, 0, tzinfo=UTC))
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "Wednesday 9 January 2030 at 18:00, UK time" in page  # GMT in winter
    assert "1 round of proposals" in page and "1 round of comments" in page and "1 ranked vote" in page
    assert "Ideas" not in page and "Decide" not in page
    welsh = client.get(f"/cy/s/{live.code}/").content.decode()
    assert "Dydd Mercher 9 Ionawr 2030" in welsh


def test_facilitator_cannot_open_or_add_a_round_after_the_session_ended(live, fac_actor):
    """An ended session's record is final: no round opens or is added afterwards."""
    services.session_end(actor=fac_actor, session=live)
    draft = rounds_of(live)["proposal"]
    with pytest.raises(ServiceError) as opened:
        services.round_open(actor=fac_actor, session=live, round_id=draft.pk)
    assert opened.value.code == "session_ended"
    with pytest.raises(ServiceError) as added:
        services.round_create(actor=fac_actor, session=live, kind="proposal", title="Late idea")
    assert added.value.code == "session_ended"
    draft.refresh_from_db()
    assert draft.state == "draft" and live.rounds.count() == 3
