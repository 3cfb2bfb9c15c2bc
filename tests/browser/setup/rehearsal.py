# ruff: noqa: F821 (run inside the setup shell, where services, LiveSession, Round, Actor, fac, act and facts exist)
# The rehearsal's session (tests/browser/test_rehearsal.py): a run of show prepared in advance, starting tonight.
import os as _rh_os
from datetime import timedelta as _rh_timedelta

from django.utils import timezone as _rh_timezone

_rh = LiveSession.objects.create(
    code="RH3ARS",
    title="Rehearsal: getting to the surgery",
    description="How should the valley get to the new surgery?",
    starts_at=_rh_timezone.now() + _rh_timedelta(hours=2),
)
_rh.facilitators.add(fac)
for _rh_n, (_rh_kind, _rh_title) in enumerate(
    [("proposal", "Ideas"), ("comment", "Talk them through"), ("vote", "Choose one")], start=1
):
    Round.objects.create(session=_rh, kind=_rh_kind, title=_rh_title, position=_rh_n, method="irv")
facts["rehearsal_database_url"] = _rh_os.environ["DATABASE_URL"]
