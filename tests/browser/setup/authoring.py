# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# Helper "authoring" (issue 12 item 1): the demo consultation whose admin page lists its live sessions
# (tests/browser/test_board_authoring_admin.py).
from home.models import ConsultationPage

facts["authoring_consultation"] = ConsultationPage.objects.get(slug="rural-transport-to-services").pk
