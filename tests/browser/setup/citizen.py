# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Sessions for tests/browser/test_citizen_event_day.py (run after SETUP; see tests/browser/conftest.py).
import datetime as _cz_datetime


def _cz_voting(code, title, *, open_vote=True):
    """A session whose three proposals are on a ranked vote (opened unless told otherwise)."""
    live = LiveSession.objects.create(code=code, title=title)
    live.facilitators.add(fac)
    ideas = Round.objects.create(session=live, kind="proposal", title="Ideas", position=1)
    vote = Round.objects.create(session=live, kind="vote", title="Choose", position=2, method="irv")
    services.round_open(actor=act, session=live, round_id=ideas.pk)
    for idea in ["Repair the footpath", "Plant an orchard", "Open a repair café"]:
        who = Actor(participant=services.participant_join(session=live, display_name=""))
        services.proposal_submit(actor=who, session=live, round_id=ideas.pk, title=idea)
    services.round_close(actor=act, session=live, round_id=ideas.pk)
    if open_vote:
        services.round_open(actor=act, session=live, round_id=vote.pk)
    return live, vote


_cz_live, _cz_vote = _cz_voting("CQ3VTE", "Citizen: offline ballot")
facts["citizen_offline_round"] = _cz_vote.pk
facts["citizen_offline_next"] = Round.objects.create(session=_cz_live, kind="proposal", title="Next steps", position=3).pk
_cz_live, _cz_vote = _cz_voting("CR7RNK", "Citizen: reload mid-vote")
facts["citizen_reload_round"] = _cz_vote.pk

# Item 5: a session with a published result and no open round, ended by the test.
_cz_live, _cz_vote = _cz_voting("CE4END", "Citizen: the session ends")
_cz_voter = Actor(participant=services.participant_join(session=_cz_live, display_name="Early voter"))
services.ballot_cast(
    actor=_cz_voter,
    session=_cz_live,
    round_id=_cz_vote.pk,
    ranking=list(_cz_vote.ballot_proposals.order_by("pk").values_list("pk", flat=True)),
)
services.round_close(actor=act, session=_cz_live, round_id=_cz_vote.pk)
services.round_publish(actor=act, session=_cz_live, round_id=_cz_vote.pk)
facts["citizen_ended_round"] = _cz_vote.pk

# Item 6: a session not started yet, with a start time, a description and a run of show.
_cz_live = LiveSession.objects.create(
    code="CW6AMR",
    title="Citizen: not started yet",
    description="Residents of Llanrwst choose how to spend the village green fund.",
    starts_at=_cz_datetime.datetime(2030, 6, 20, 17, 30, tzinfo=_cz_datetime.UTC),
)
_cz_live.facilitators.add(fac)
for _cz_position, (_cz_kind, _cz_title) in enumerate(
    [
        ("proposal", "Secret draft: ideas"),
        ("proposal", "Secret draft: more ideas"),
        ("comment", "Secret draft: discuss"),
        ("vote", "Secret draft: choose"),
    ],
    start=1,
):
    Round.objects.create(session=_cz_live, kind=_cz_kind, title=_cz_title, position=_cz_position, method="irv")
