# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Sessions for tests/browser/test_bilingual_live.py (run after SETUP; see tests/browser/conftest.py).
_bl_live = LiveSession.objects.create(
    code="CYMRAE",
    title="Bilingual: the village green",
    title_cy="Dwyieithog: y lawnt bentref",
    description="What should the green be for?",
    description_cy="At beth ddylai’r lawnt fod?",
)
_bl_live.facilitators.add(fac)
_bl_ideas = Round.objects.create(
    session=_bl_live,
    kind="proposal",
    title="Ideas for the green",
    title_cy="Syniadau ar gyfer y lawnt",
    prompt="One idea each, in a sentence.",
    prompt_cy="Un syniad yr un, mewn brawddeg.",
    position=1,
)
# A round still to be translated: the console marks it.
Round.objects.create(session=_bl_live, kind="vote", title="Choose for the green", position=2, method="irv")
services.round_open(actor=act, session=_bl_live, round_id=_bl_ideas.pk)
services.proposal_submit(
    actor=Actor(participant=services.participant_join(session=_bl_live, display_name="Nia")),
    session=_bl_live,
    round_id=_bl_ideas.pk,
    title="Perllan gymunedol",
    language="cy",
)
