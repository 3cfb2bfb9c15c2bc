# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Sessions for tests/browser/test_eligibility_console.py (run after SETUP; see tests/browser/conftest.py).
from django.contrib.auth import get_user_model as _gc_users


def _gc_session(code, title, mode="open", double_entry=False, open_vote=True):
    """A session in `mode` whose ideas round is closed with three proposals and whose vote is drafted or open."""
    live = LiveSession.objects.create(code=code, title=title)
    live.facilitators.add(fac)
    ideas = Round.objects.create(session=live, kind="proposal", title="Ideas", position=1)
    services.round_open(actor=act, session=live, round_id=ideas.pk)
    made = []
    for idea in ("Repair the footpath", "Plant an orchard", "Open a repair café"):
        who = Actor(participant=services.participant_join(session=live, display_name="Nia"))
        made.append(services.proposal_submit(actor=who, session=live, round_id=ideas.pk, title=idea).pk)
    services.round_close(actor=act, session=live, round_id=ideas.pk)
    services.session_set_eligibility(actor=act, session=live, mode=mode, double_entry=double_entry)
    live.refresh_from_db()
    vote = Round.objects.create(session=live, kind="vote", title="Choose", position=2, method="irv")
    if open_vote:
        services.round_open(actor=act, session=live, round_id=vote.pk)
    return live, vote, made


# The mode is chosen from the console, then locked once the vote opens.
_gc_session("GM4DEA", "Eligibility console: choose the mode", open_vote=False)

# Cards: three cards, the first used online by a participant who has voted.
_gc_live, _gc_vote, _gc_ids = _gc_session("GC4RDS", "Eligibility console: cards", mode="cards")
_gc_cards = services.cards_generate(actor=act, session=_gc_live, count=3)
_gc_voter = services.participant_join(session=_gc_live, display_name="Carys", card_code=_gc_cards[0].code)
services.ballot_cast(actor=Actor(participant=_gc_voter), session=_gc_live, round_id=_gc_vote.pk, ranking=_gc_ids[:2])
facts["gc_used_card"] = _gc_cards[0].code
facts["gc_free_card"] = _gc_cards[1].code

# Sign-in: two panel members exist, one already on the list.
for _gc_name in ("panel-anwen", "panel-bryn"):
    _gc_users().objects.get_or_create(username=_gc_name)
_gc_live, _gc_vote, _gc_ids = _gc_session("GS7GNA", "Eligibility console: sign-in list", mode="signin", open_vote=False)
_gc_live.voters.add(_gc_users().objects.get(username="panel-anwen"))

# Admission: people ask to join from tests (Browserless joins).
_gc_session("GA3DMT", "Eligibility console: admission", mode="admission", open_vote=False)

# Double entry: slip 1 typed differently the second time, slip 2 the same; the vote is closed.
_gc_live, _gc_vote, _gc_ids = _gc_session("GD7BLE", "Eligibility console: double entry", double_entry=True)
for _gc_ranking, _gc_pass in (([_gc_ids[0], _gc_ids[1]], 1), ([_gc_ids[2]], 1), ([_gc_ids[1], _gc_ids[0]], 2), ([_gc_ids[2]], 2)):
    services.ballot_enter_paper(actor=act, session=_gc_live, round_id=_gc_vote.pk, ranking=_gc_ranking, entry_pass=_gc_pass)
services.round_close(actor=act, session=_gc_live, round_id=_gc_vote.pk)

# Reconciliation: cards, one used online, one on paper, one slip voided; the vote is closed from the console.
_gc_live, _gc_vote, _gc_ids = _gc_session("GR3CNC", "Eligibility console: reconciliation", mode="cards")
_gc_cards = services.cards_generate(actor=act, session=_gc_live, count=4)
_gc_voter = services.participant_join(session=_gc_live, display_name="Dafydd", card_code=_gc_cards[0].code)
services.ballot_cast(actor=Actor(participant=_gc_voter), session=_gc_live, round_id=_gc_vote.pk, ranking=_gc_ids[:2])
services.ballot_enter_paper(actor=act, session=_gc_live, round_id=_gc_vote.pk, ranking=[_gc_ids[1]], card_code=_gc_cards[1].code)
_gc_slip = services.ballot_enter_paper(actor=act, session=_gc_live, round_id=_gc_vote.pk, ranking=[_gc_ids[2]])
services.ballot_void_paper(actor=act, session=_gc_live, ballot_id=_gc_slip.pk, reason="Typed twice")

# Without JavaScript: the same forms as plain POSTs.
_gc_session("GK4NJS", "Eligibility console: no JavaScript", open_vote=False)

# A long admission queue: 55 people waiting, shown 50 at a time.
_gc_live, _gc_vote, _gc_ids = _gc_session("GQ7MNY", "Eligibility console: a long queue", mode="admission", open_vote=False)
for _gc_i in range(1, 56):
    services.participant_join(session=_gc_live, display_name=f"Person {_gc_i}")
