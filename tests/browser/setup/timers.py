# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Sessions for tests/browser/test_presenter_timers.py (run after SETUP; see tests/browser/conftest.py).
import os as _tm_os

_TM_IDEAS = ("Repair the footpath", "Plant an orchard", "Open a repair café", "Paint the bus shelter")


def _tm_session(code, title, ideas=_TM_IDEAS):
    """A session whose proposal round has closed with these proposals; returns (session, proposal ids)."""
    live = LiveSession.objects.create(code=code, title=title)
    live.facilitators.add(fac)
    ideas_round = Round.objects.create(session=live, kind="proposal", title="Ideas", position=1)
    services.round_open(actor=act, session=live, round_id=ideas_round.pk)
    ids = []
    for idea in ideas:
        who = Actor(participant=services.participant_join(session=live, display_name=""))
        ids.append(services.proposal_submit(actor=who, session=live, round_id=ideas_round.pk, title=idea).pk)
    services.round_close(actor=act, session=live, round_id=ideas_round.pk)
    return live, ids


# Items 4 and 11: a published STV count for two seats whose surplus transfer makes decimals (3.42855), next to
# whole numbers the engine writes as "3.00000".
_tm_live, _tm_ids = _tm_session("TK7PRE", "Presenter: bars and numbers")
_tm_vote = Round.objects.create(session=_tm_live, kind="vote", title="Choose two", position=2, method="stv", seats=2)
services.round_open(actor=act, session=_tm_live, round_id=_tm_vote.pk)
_a, _b, _c, _d = _tm_ids
for _tm_n, _tm_ranking in ((5, [_a, _b]), (2, [_a, _c]), (2, [_b]), (3, [_c]), (2, [_d])):
    for _ in range(_tm_n):
        _tm_voter = Actor(participant=services.participant_join(session=_tm_live, display_name=""))
        services.ballot_cast(actor=_tm_voter, session=_tm_live, round_id=_tm_vote.pk, ranking=_tm_ranking)
services.round_close(actor=act, session=_tm_live, round_id=_tm_vote.pk)
services.round_publish(actor=act, session=_tm_live, round_id=_tm_vote.pk)
_tm_vote.refresh_from_db()
facts["timers_stages"] = [{k: float(v) for k, v in s["votes"].items()} for s in _tm_vote.result["stages"]]

# Item 9: a vote ready to open from the console with a timer that closes it by itself.
_tm_live, _tm_ids = _tm_session("TK7TMR", "Presenter: a round on a timer", ideas=_TM_IDEAS[:3])
Round.objects.create(session=_tm_live, kind="vote", title="Choose by the clock", position=2, method="irv")
facts["timers_clock_proposals"] = _tm_ids
# The test shortens the one-minute timer it set through this database (a minute is long for a test).
facts["timers_database_url"] = _tm_os.environ["DATABASE_URL"]

# A published vote nobody voted in: the room is told "No result", not "Chosen: " and a name drawn by lot.
_tm_live, _tm_ids = _tm_session("TK7NRS", "Presenter: no ballots", ideas=_TM_IDEAS[:2])
_tm_vote = Round.objects.create(session=_tm_live, kind="vote", title="Choose with no ballots", position=2, method="irv")
services.round_open(actor=act, session=_tm_live, round_id=_tm_vote.pk)
services.round_close(actor=act, session=_tm_live, round_id=_tm_vote.pk)
services.round_publish(actor=act, session=_tm_live, round_id=_tm_vote.pk)
