"""The policy table: every permission exists, and every facilitator action is refused to other roles."""

import pytest
import rules as django_rules

from deliberation import protocol, rules, services
from deliberation.errors import ServiceError
from deliberation.identity import presenter_key
from deliberation.models import Comment, Event, LiveSession, Proposal
from tests.conftest import rounds_of
from tests.home.conftest import _isolated, _site_tree_keys, board_editors, site_tree  # noqa: F401 (fixtures)


def test_every_permission_name_is_registered():
    """Each constant in the table names a registered django-rules permission."""
    for name in rules.ALL_PERMISSIONS:
        assert django_rules.perm_exists(name), name


@pytest.fixture
def scene(live, fac_actor, proposal_round):
    """A session with an open vote round, proposals, a comment and a flag."""
    r = rounds_of(live)
    ideas = proposal_round(("Bus", "Car share", "Cycle path"), "Alys", close=True)
    (p1, p2, p3), author_actor = ideas.proposals, ideas.authors[0]
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    c = services.comment_submit(actor=author_actor, session=live, round_id=r["comment"].pk, proposal_id=p1.pk, body="Yes")
    flag = services.flag_submit(actor=author_actor, session=live, proposal_id=p2.pk)
    services.comment_hide(actor=fac_actor, session=live, comment_id=c.pk, reason="Off topic")
    services.proposal_hide(actor=fac_actor, session=live, proposal_id=p3.pk, reason="Off topic")
    return {"rounds": r, "p1": p1, "p2": p2, "p3": p3, "comment": c, "flag": flag}


def facilitator_actions(scene):
    """Every facilitator-only message with a payload that a facilitator could send now."""
    r = scene["rounds"]
    return {
        "round.create": {"kind": "proposal", "title": "More"},
        "round.reorder": {"order": [r["vote"].pk]},
        "round.open": {"round": r["vote"].pk},
        "round.close": {"round": r["comment"].pk},
        "round.publish": {"round": r["vote"].pk},
        "proposal.hide": {"id": scene["p1"].pk, "reason": "Spam"},
        "proposal.restore": {"id": scene["p3"].pk},
        "proposal.merge": {"id": scene["p2"].pk, "into": scene["p1"].pk},
        "proposal.edit_title": {"id": scene["p1"].pk, "title": "A better bus"},
        "comment.hide": {"id": scene["comment"].pk, "reason": "Spam"},
        "comment.restore": {"id": scene["comment"].pk},
        "flag.resolve": {"id": scene["flag"].pk},
        "ballot.enter_paper": {"round": r["vote"].pk, "ranking": [scene["p1"].pk]},
        "session.end": {},
        "session.set_eligibility": {"mode": "cards"},
        "cards.generate": {"count": 3},
        "voter.add": {"username": "fac"},
        "voter.remove": {"username": "fac"},
        "participant.admit": {"id": scene["p1"].author_id},
        "participant.refuse": {"id": scene["p1"].author_id},
    }


def snapshot(session):
    """Everything an action could change."""
    return (
        list(Event.objects.filter(session=session).values_list("seq", flat=True)),
        list(Proposal.objects.values_list("pk", "title", "hidden", "merged_into")),
        list(Comment.objects.values_list("pk", "hidden")),
        list(session.rounds.values_list("pk", "state", "position")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["participant", "other_facilitator", "anonymous", "signed_in_stranger"])
def test_non_facilitator_cannot_do_any_facilitator_action(scene, live, join, make_user, role):
    """A role × action matrix: each refusal is an error and changes nothing."""
    other = LiveSession.objects.create(title="Elsewhere", code="XYZ789")
    if role == "participant":
        _p, actor = join("Bryn")
    elif role == "other_facilitator":
        user = make_user("other-fac")
        other.facilitators.add(user)
        actor = rules.Actor(user=user)
    elif role == "anonymous":
        actor = rules.Actor()
    else:
        actor = rules.Actor(user=make_user("stranger"))
    for kind, payload in facilitator_actions(scene).items():
        before = snapshot(live)
        with pytest.raises(ServiceError) as refused:
            protocol.dispatch(actor, live, kind, payload, "ref")
        assert refused.value.code == "forbidden", kind
        assert snapshot(live) == before, kind


@pytest.mark.django_db
def test_facilitator_can_do_every_facilitator_action(scene, live, fac_actor):
    """The same matrix for the session's own facilitator: each action is accepted."""
    actions = facilitator_actions(scene)
    order = [
        "round.create",
        "round.reorder",
        "proposal.edit_title",
        "proposal.restore",
        "comment.restore",
        "comment.hide",
        "flag.resolve",
        "proposal.merge",
        "round.close",
        "round.open",
        "ballot.enter_paper",
        "proposal.hide",
    ]
    for kind in order:
        if kind == "round.reorder":  # the new draft round must be listed too
            drafts = list(live.rounds.filter(state="draft").values_list("pk", flat=True))
            actions[kind] = {"order": drafts[::-1]}
        protocol.dispatch(fac_actor, live, kind, actions[kind], f"ref-{kind}")
    r = scene["rounds"]
    services.round_close(actor=fac_actor, session=live, round_id=r["vote"].pk)
    protocol.dispatch(fac_actor, live, "round.publish", actions["round.publish"], "ref-pub")
    r["vote"].refresh_from_db()
    assert r["vote"].state == "published"
    protocol.dispatch(fac_actor, live, "session.end", {}, "ref-end")
    live.refresh_from_db()
    assert live.status == "ended"


@pytest.mark.django_db
def test_participant_of_another_session_cannot_contribute(live, fac_actor, facilitator):
    """Joining one session gives no say in another."""
    other = LiveSession.objects.create(title="Elsewhere", code="XYZ789")
    stranger = services.participant_join(session=other, display_name="Stranger")
    actor = rules.Actor(participant=stranger)
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    with pytest.raises(ServiceError) as refused:
        services.proposal_submit(actor=actor, session=live, round_id=r["proposal"].pk, title="Sneaky")
    assert refused.value.code == "forbidden"
    assert Proposal.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_cannot_contribute_without_joining(live, fac_actor):
    """A socket or form with no participant is told to join first."""
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    with pytest.raises(ServiceError) as refused:
        services.proposal_submit(actor=rules.Actor(), session=live, round_id=r["proposal"].pk, title="Hello")
    assert refused.value.code == "not_joined"


# --- eligibility (issue 9) ---------------------------------------------------------------------


@pytest.fixture
def modes(live, fac_actor, make_user):
    """Participants of the live session: one with a card, one without, one on the sign-in list, one not, one pending."""
    from deliberation.models import Participant, VotingCard

    listed, unlisted = make_user("panel"), make_user("walk-in")
    live.voters.add(listed)
    people = {
        "carded": Participant.objects.create(session=live),
        "uncarded": Participant.objects.create(session=live),
        "listed": Participant.objects.create(session=live, user=listed),
        "unlisted": Participant.objects.create(session=live, user=unlisted),
        "pending": Participant.objects.create(session=live, admission=Participant.Admission.PENDING),
        "refused": Participant.objects.create(session=live, admission=Participant.Admission.REFUSED),
    }
    VotingCard.objects.create(session=live, number=1, participant=people["carded"])
    return {k: rules.Actor(participant=p, user=p.user) for k, p in people.items()}


# Who may vote in each mode (pending and refused never may).
VOTERS = {
    "open": {"carded", "uncarded", "listed", "unlisted"},
    "cards": {"carded"},
    "signin": {"listed"},
    "admission": {"carded", "uncarded", "listed", "unlisted"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("mode", list(VOTERS))
@pytest.mark.parametrize("contribute", [True, False])
def test_participant_can_vote_only_when_eligible_in_each_mode(live, modes, mode, contribute):
    """The policy table by mode: voters vote; others contribute only when the session allows it; pending never."""
    live.eligibility, live.uncarded_may_contribute = mode, contribute
    live.save()
    for name, actor in modes.items():
        admitted = name not in {"pending", "refused"}
        assert rules.can(actor, rules.CAST_BALLOT, live) == (name in VOTERS[mode]), (mode, name)
        may = admitted and (name in VOTERS[mode] or contribute or mode in {"open", "admission"})
        for permission in (rules.SUBMIT_PROPOSAL, rules.SUBMIT_COMMENT, rules.FLAG_CONTRIBUTION):
            assert rules.can(actor, permission, live) == may, (mode, name, permission)
        assert rules.can(actor, rules.VIEW_SESSION, live) == admitted, (mode, name)
        reason = rules.ineligibility(actor.participant, live)
        assert (reason == "") == (name in VOTERS[mode]), (mode, name, reason)


@pytest.mark.django_db
def test_facilitator_and_board_editor_can_manage_eligibility_others_cannot(
    live,
    facilitator,
    make_user,
    join,
    site_tree,  # noqa: F811
    board_editors,  # noqa: F811
):
    live.consultation = site_tree.consultation_a
    live.save()
    assert rules.can(rules.Actor(user=facilitator), rules.MANAGE_ELIGIBILITY, live)
    assert rules.can(rules.Actor(user=board_editors.a), rules.MANAGE_ELIGIBILITY, live)
    services.session_set_eligibility(actor=rules.Actor(user=board_editors.a), session=live, mode="cards")
    assert not rules.can(rules.Actor(user=board_editors.b), rules.MANAGE_ELIGIBILITY, live)
    assert not rules.can(rules.Actor(user=make_user("stranger")), rules.MANAGE_ELIGIBILITY, live)
    assert not rules.can(join("Alys")[1], rules.MANAGE_ELIGIBILITY, live)
    assert not rules.can(rules.Actor(), rules.MANAGE_ELIGIBILITY, live)


def test_every_message_type_has_its_own_handler_named_after_it():
    """No dispatch by name: `round.publish` is handled by `_round_publish`, which calls `services.round_publish`."""
    for kind, (_fields, handler) in protocol.MESSAGES.items():
        assert handler.__name__ == "_" + kind.replace(".", "_"), kind


@pytest.mark.django_db
def test_actor_is_built_from_what_the_request_knows(live, join, facilitator):
    """`rules.actor_for`: the participant only of the session asked about, and a presenter key only while it is valid."""
    participant, _actor = join("Alys")
    other = LiveSession.objects.create(title="Elsewhere", code="XYZ789")
    actor = rules.actor_for(user=facilitator, session_id=live.pk, participant_id=participant.pk)
    assert actor.user == facilitator and actor.participant == participant and actor.presenter_for is None
    assert rules.actor_for(session_id=other.pk, participant_id=participant.pk).participant is None
    assert rules.actor_for() == rules.Actor()
    screen = rules.actor_for(presenter_key=presenter_key(live))
    assert screen.presenter_for == live.pk and rules.can(screen, rules.VIEW_SESSION, live)
    assert not rules.can(screen, rules.VIEW_SESSION, other)
    assert rules.actor_for(presenter_key="forged").presenter_for is None
