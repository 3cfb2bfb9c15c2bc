# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Helper "trust" (issue 9): a voting-card session whose published vote had one card online and one on paper,
# for the presenter's trust label (tests/browser/test_trust.py).
trust = LiveSession.objects.create(code="TRUCRD", title="Browser test: a result you can trust")
trust.facilitators.add(fac)
trust_ideas = Round.objects.create(session=trust, kind="proposal", title="Ideas", position=1)
trust_vote = Round.objects.create(session=trust, kind="vote", title="Choose", position=2, method="irv")
services.round_open(actor=act, session=trust, round_id=trust_ideas.pk)
trust_host = Actor(participant=services.participant_join(session=trust, display_name="Host"))
trust_first = services.proposal_submit(actor=trust_host, session=trust, round_id=trust_ideas.pk, title="Mend the bridge")
services.proposal_submit(actor=trust_host, session=trust, round_id=trust_ideas.pk, title="Light the lane")
services.round_close(actor=act, session=trust, round_id=trust_ideas.pk)
services.session_set_eligibility(actor=act, session=trust, mode="cards")
trust_cards = services.cards_generate(actor=act, session=trust, count=3)
trust_voter = services.participant_join(session=trust, display_name="Carded", card_code=trust_cards[0].code)
services.round_open(actor=act, session=trust, round_id=trust_vote.pk)
services.ballot_cast(actor=Actor(participant=trust_voter), session=trust, round_id=trust_vote.pk, ranking=[trust_first.pk])
services.ballot_enter_paper(
    actor=act, session=trust, round_id=trust_vote.pk, ranking=[trust_first.pk], card_code=trust_cards[1].code
)
services.round_close(actor=act, session=trust, round_id=trust_vote.pk)
services.round_publish(actor=act, session=trust, round_id=trust_vote.pk)
facts["trust_round"] = trust_vote.pk
