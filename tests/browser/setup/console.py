# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Sessions for tests/browser/test_console_event_day.py (run after SETUP; see tests/browser/conftest.py).


def _fc_session(code, title, ideas=("Repair the footpath", "Plant an orchard", "Open a repair café"), author="Nia"):
    """A session whose proposal round has closed with three proposals; returns (session, proposals)."""
    live = LiveSession.objects.create(code=code, title=title)
    live.facilitators.add(fac)
    ideas_round = Round.objects.create(session=live, kind="proposal", title="Ideas", position=1)
    services.round_open(actor=act, session=live, round_id=ideas_round.pk)
    made = []
    for idea in ideas:
        who = Actor(participant=services.participant_join(session=live, display_name=author))
        made.append(services.proposal_submit(actor=who, session=live, round_id=ideas_round.pk, title=idea))
    services.round_close(actor=act, session=live, round_id=ideas_round.pk)
    return live, made


# Item 2: a vote nobody votes in.
_fc_live, _fc_made = _fc_session("FN4RTB", "Console: nobody votes")
_fc_vote = Round.objects.create(session=_fc_live, kind="vote", title="Choose with no ballots", position=2, method="irv")
facts["console_no_result_round"] = _fc_vote.pk

# Item 1: an instant-runoff vote for two winners, made before rounds were checked (create skips clean), with
# three ballots cast: closing it must still close it and show the problem.
_fc_live, _fc_made = _fc_session("FC7UNT", "Console: a count that fails")
_fc_vote = Round.objects.create(session=_fc_live, kind="vote", title="Choose two", position=2, method="irv", seats=2)
services.round_open(actor=act, session=_fc_live, round_id=_fc_vote.pk)
_fc_ids = [p.pk for p in _fc_made]
for _fc_ranking in ([_fc_ids[0], _fc_ids[1]], [_fc_ids[1], _fc_ids[0]], [_fc_ids[0], _fc_ids[2]]):
    _fc_voter = Actor(participant=services.participant_join(session=_fc_live, display_name=""))
    services.ballot_cast(actor=_fc_voter, session=_fc_live, round_id=_fc_vote.pk, ranking=_fc_ranking)
facts["console_failed_round"] = _fc_vote.pk

# Item 5: sessions with a comment round open, to be ended from the console (with and without JavaScript).
for _fc_code in ("FE6ND9", "FE7NDJ"):
    _fc_live, _fc_made = _fc_session(_fc_code, f"Console: ending {_fc_code}", author="Gwenllian")
    _fc_talk = Round.objects.create(session=_fc_live, kind="comment", title="Talk it through", position=2)
    services.round_open(actor=act, session=_fc_live, round_id=_fc_talk.pk)

# Item 7: a merge to undo (a comment was written on the duplicate) and a vote still to open.
_fc_live, _fc_made = _fc_session(
    "FU4NDV", "Console: undo", author="Owain", ideas=("Fix the bus shelter", "Repair the bus shelter", "Plant trees on the green")
)
_fc_talk = Round.objects.create(session=_fc_live, kind="comment", title="Talk it through", position=2)
services.round_open(actor=act, session=_fc_live, round_id=_fc_talk.pk)
_fc_who = Actor(participant=services.participant_join(session=_fc_live, display_name="Siân"))
services.comment_submit(
    actor=_fc_who, session=_fc_live, round_id=_fc_talk.pk, proposal_id=_fc_made[1].pk, body="Use the glass from the old one"
)
services.round_close(actor=act, session=_fc_live, round_id=_fc_talk.pk)
services.proposal_merge(actor=act, session=_fc_live, proposal_id=_fc_made[1].pk, into_id=_fc_made[0].pk)
Round.objects.create(session=_fc_live, kind="vote", title="Choose one", position=3, method="irv")
facts["console_undo_duplicate"] = _fc_made[1].pk
