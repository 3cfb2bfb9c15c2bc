# Sessions for tests/browser/test_eligibility_join.py: one per eligibility mode, each with a ranked vote open.
# ruff: noqa: F821 (run inside the setup shell: services, LiveSession, Round, Actor, fac, act and facts exist)
from django.contrib.auth import get_user_model as _ej_users


def _ej_session(code, title, mode):
    """A session in `mode` whose three proposals (from walk-ins, before the mode was set) are on an open vote."""
    live = LiveSession.objects.create(code=code, title=title)
    live.facilitators.add(fac)
    ideas = Round.objects.create(session=live, kind="proposal", title="Ideas", position=1)
    vote = Round.objects.create(session=live, kind="vote", title="Choose", position=2, method="irv")
    services.round_open(actor=act, session=live, round_id=ideas.pk)
    for idea in ["Repair the footpath", "Plant an orchard", "Open a repair café"]:
        who = Actor(participant=services.participant_join(session=live, display_name=""))
        services.proposal_submit(actor=who, session=live, round_id=ideas.pk, title=idea)
    services.round_close(actor=act, session=live, round_id=ideas.pk)
    services.session_set_eligibility(actor=act, session=live, mode=mode)
    return live, vote


_ej_live, _ej_vote = _ej_session("EC4RDX", "Eligibility: voting cards", "cards")
facts["ej_cards"] = [card.code for card in services.cards_generate(actor=act, session=_ej_live, count=6)]
services.round_open(actor=act, session=_ej_live, round_id=_ej_vote.pk)

_ej_live, _ej_vote = _ej_session("EU7GNN", "Eligibility: sign-in panel", "signin")
for _ej_name in ("ej-panel", "ej-outsider"):
    _ej_users().objects.create_user(username=_ej_name, password=f"{_ej_name}-pass-2026")
services.voters_set(actor=act, session=_ej_live, usernames=["ej-panel"])
services.round_open(actor=act, session=_ej_live, round_id=_ej_vote.pk)

_ej_live, _ej_vote = _ej_session("EA3DMT", "Eligibility: admission", "admission")
services.round_open(actor=act, session=_ej_live, round_id=_ej_vote.pk)

_ej_live, _ej_vote = _ej_session("EP6NVE", "Eligibility: open", "open")
services.round_open(actor=act, session=_ej_live, round_id=_ej_vote.pk)

# A card session still in its proposal round: the facilitator may change who may contribute while people watch.
_ej_live = LiveSession.objects.create(code="EW4TCH", title="Eligibility: rules change while watching")
_ej_live.facilitators.add(fac)
services.session_set_eligibility(actor=act, session=_ej_live, mode="cards")
_ej_ideas = Round.objects.create(session=_ej_live, kind="proposal", title="Ideas", position=1)
services.round_open(actor=act, session=_ej_live, round_id=_ej_ideas.pk)
