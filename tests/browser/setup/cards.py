# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Actor, fac, act and facts exist)
# A voting-card session for tests/browser/test_cards_sheet.py: ten cards, so the sheet prints on two A4 pages.

_kc_live = LiveSession.objects.create(code="KC4RDP", title="Cards test: Llandudno town forum")
_kc_live.facilitators.add(fac)
services.session_set_eligibility(actor=act, session=_kc_live, mode="cards")
_kc_cards = services.cards_generate(actor=act, session=_kc_live, count=10)
facts["cards_code"] = _kc_live.code
facts["cards_codes"] = [card.code for card in _kc_cards]
