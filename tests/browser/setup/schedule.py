# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# A session for tests/browser/test_schedule.py (run after SETUP; see tests/browser/conftest.py): two draft rounds
# the facilitator schedules from the console.
import os as _sc_os

_sc_live = LiveSession.objects.create(code="SCH3BR", title="Browser test: rounds on a schedule")
_sc_live.facilitators.add(fac)
Round.objects.create(session=_sc_live, kind="proposal", title="Ideas by post and online", position=1)
Round.objects.create(session=_sc_live, kind="comment", title="Talk it over", position=2)
facts["schedule_database_url"] = _sc_os.environ["DATABASE_URL"]
