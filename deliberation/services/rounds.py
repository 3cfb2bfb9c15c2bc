"""The run of show: preparing rounds, scheduling, opening and closing them, counting, publishing, ending the session."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import counting, rules, selectors
from deliberation.errors import ServiceError
from deliberation.models import Event, LiveSession, Round
from deliberation.services._base import clean, locked, log, log_counted, round_in

# The settings of a round that a facilitator chooses (round.create takes these and no others). Its words come in
# English (`title`, `prompt`) and Welsh (`title_cy`, `prompt_cy`), with the same limits.
ROUND_FIELDS = ("kind", "title", "title_cy", "prompt", "prompt_cy", "max_per_participant", "method", "seats")
# The words of a round, which round.update changes (adding a missing translation, say) until the session ends.
ROUND_TEXT_FIELDS = ("title", "title_cy", "prompt", "prompt_cy")

# How far ahead a round may be scheduled, and the longest timer: statutory consultations (Well-being of Future
# Generations Act) run at least 12 weeks, so twice that with room to spare.
SCHEDULE_MAX = timedelta(weeks=26)
# The console's times are wall-clock times in the UK.
UK = ZoneInfo("Europe/London")
# An ISO 8601 date and time to the minute (seconds optional), with an offset or Z unless the payload says `local`.
# ASCII only: other scripts' digits and look-alike punctuation are refused, not guessed at.
_WHEN = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII)
UNCHANGED = object()  # round_schedule: leave this time as it is


@locked(rules.PREPARE_ROUNDS, refuse_ended=True)
def round_create(*, actor: rules.Actor, session: LiveSession, **fields) -> Round:
    """Prepare a new draft round at the end of the run of show."""
    last = session.rounds.order_by("-position").values_list("position", flat=True).first()
    round_ = Round(session=session, position=(last or 0) + 1, **{k: v for k, v in fields.items() if k in ROUND_FIELDS})
    clean(round_, exclude=["session"])
    round_.save()
    log(session, "round.created", {"round": selectors.round_summary(round_)}, actor, audience=Event.Audience.FACILITATORS)
    return round_


@locked(rules.PREPARE_ROUNDS, refuse_ended=True)
def round_update(*, actor: rules.Actor, session: LiveSession, round_id: int, **fields) -> Round:
    """Change a round's words in either language; everyone who may see the round sees the new words at once."""
    round_ = round_in(session, round_id)
    changes = {name: value for name, value in fields.items() if name in ROUND_TEXT_FIELDS}
    if not changes:
        raise ServiceError("invalid", _("Send a title or a prompt to change."))
    for name, value in changes.items():
        setattr(round_, name, value)
    clean(round_, exclude=["session"])
    round_.save(update_fields=list(changes))
    # Participants never see rounds being prepared (unless scheduled, so announced): a draft's words are for the
    # facilitators only.
    audience = Event.Audience.FACILITATORS if _private(round_) else Event.Audience.ALL
    log(session, "round.updated", {"round": selectors.round_summary(round_)}, actor, audience=audience)
    return round_


@locked(rules.PREPARE_ROUNDS)
def round_reorder(*, actor: rules.Actor, session: LiveSession, order: list[int]) -> list[Round]:
    """Reorder the draft rounds; rounds already opened keep their place before them."""
    drafts = {r.pk: r for r in session.rounds.filter(state=Round.State.DRAFT)}
    if sorted(order) != sorted(drafts) or len(set(order)) != len(order):
        raise ServiceError("invalid", _("List every round still being prepared, once each."))
    start = session.rounds.exclude(state=Round.State.DRAFT).count() + 1
    for offset, round_id in enumerate(order):
        drafts[round_id].position = start + offset
    Round.objects.bulk_update(drafts.values(), ["position"])
    payload = {"order": list(order), "positions": {str(pk): round_.position for pk, round_ in drafts.items()}}
    log(session, "round.reordered", payload, actor, audience=Event.Audience.FACILITATORS)
    return [drafts[i] for i in order]


@locked(rules.RUN_ROUNDS, refuse_ended=True)
def round_open(
    *, actor: rules.Actor, session: LiveSession, round_id: int, minutes: int | None = None, auto_close: bool = False
) -> Round:
    """Open a draft round (one open round at a time), with an optional timer that may close it by itself."""
    round_ = round_in(session, round_id)
    if round_.state != Round.State.DRAFT:
        raise ServiceError("wrong_state")
    if session.rounds.filter(state=Round.State.OPEN).exists():
        raise ServiceError("another_round_open")
    if round_.kind == Round.Kind.VOTE:
        if not round_.ballot_proposals.exists():
            round_.ballot_proposals.set(selectors.usable_proposals(session))
        else:
            # Proposals hidden or merged since the ballot was prepared drop off it.
            round_.ballot_proposals.remove(*round_.ballot_proposals.exclude(pk__in=selectors.usable_proposals(session)))
        if round_.ballot_proposals.count() < 2:
            raise ServiceError("too_few_proposals")
        if round_.seats >= round_.ballot_proposals.count():
            raise ServiceError("invalid", _("There must be more proposals on the ballot than winners."))
    now = timezone.now()
    round_.state = Round.State.OPEN
    round_.opened_at = now
    if minutes:
        if not 0 < int(minutes) <= SCHEDULE_MAX.total_seconds() // 60:
            raise ServiceError("invalid", _("A timer runs from 1 minute to 26 weeks (262080 minutes)."))
        round_.closes_at = now + timedelta(minutes=int(minutes))
        round_.auto_close = bool(auto_close)
    elif round_.closes_at:
        # A scheduled close is automatic. The worker catching up opens a round whose time has passed (it closes on
        # the same tick, once); a person is told to change the schedule instead.
        if round_.closes_at <= now and not actor.system:
            raise ServiceError("invalid", _("This round's closing time has passed: change its schedule first."))
        round_.auto_close = True
    elif auto_close:
        raise ServiceError("invalid", _("Set a timer to close the round automatically."))
    else:
        round_.auto_close = False
    round_.save()
    if session.status != LiveSession.Status.LIVE:
        session.status = LiveSession.Status.LIVE
        session.save(update_fields=["status"])
    by_schedule = {"by": "schedule"} if actor.system else {}  # the audit log tells the worker's open from a person's
    log(session, "round.opened", {"round": selectors.round_summary(round_)} | by_schedule, actor)
    return round_


def _private(round_: Round) -> bool:
    """A draft no one has scheduled: only facilitators see it (a scheduled one is announced to everyone)."""
    return round_.state == Round.State.DRAFT and not round_.opens_at


def parse_when(value, *, local: bool = False):
    """A time from a payload: None for "" (no time), an aware datetime for ISO 8601 with an offset; a time
    without one only with `local` (the console's wall-clock UK time). Anything else is a clear `invalid`."""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ServiceError("invalid", _("Give the time with its time zone, for example 2026-03-03T10:00+00:00."))
        return value
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40 or not _WHEN.fullmatch(value):
        raise ServiceError("invalid", _("Write the date and time as 2026-03-03T10:00 (year-month-day, then hours:minutes)."))
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ServiceError("invalid", _("There is no such date or time: check the day and the hours.")) from exc
    if when.tzinfo is not None:
        return when
    if not local:
        raise ServiceError("invalid", _("Give the time with its time zone, for example 2026-03-03T10:00+00:00."))
    aware = when.replace(tzinfo=UK)
    if aware.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != when:
        raise ServiceError("invalid", _("That time does not exist in the UK: the clocks go forward that night."))
    return aware


def _same_minute(a, b) -> bool:
    """Both None, or the same time to the minute."""
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def schedule_problem(opens_at, closes_at, *, now, new_opens=True, new_closes=True):
    """What is wrong with a round's times, as (field, message), or None. Only a time being set now may not be in
    the past (a round waiting to open keeps its time); the Wagtail editor checks drafts with the same rules."""
    if new_opens and opens_at and opens_at <= now:
        return "opens_at", _("That opening time has passed: open the round now instead.")
    if new_closes and closes_at and closes_at <= now:
        return "closes_at", _("That closing time has passed: choose a later one.")
    if opens_at and closes_at and closes_at <= opens_at:
        return "closes_at", _("The round must close after it opens.")
    for name, when, new in (("opens_at", opens_at, new_opens), ("closes_at", closes_at, new_closes)):
        if new and when and when > now + SCHEDULE_MAX:
            return name, _("A round can be scheduled up to 26 weeks ahead.")
    return None


@locked(rules.RUN_ROUNDS, refuse_ended=True)
def round_schedule(
    *,
    actor: rules.Actor,
    session: LiveSession,
    round_id: int,
    opens_at=UNCHANGED,
    closes_at=UNCHANGED,
    auto_publish: bool | None = None,
    local: bool = False,
) -> Round:
    """Set when a draft round opens and when a draft or open round closes (the server does both, and counts a vote
    at close), and whether a vote's result is published as soon as it is counted. Times are ISO 8601 text or aware
    datetimes; "" or None removes a time; UNCHANGED leaves it. Refused (changing nothing) when the times make no
    sense: closing before opening or in the past, opening in the past, more than 26 weeks ahead, or a new opening
    time for a round already open."""
    round_ = round_in(session, round_id)
    if round_.state not in (Round.State.DRAFT, Round.State.OPEN):
        raise ServiceError("wrong_state")
    was_private = _private(round_)
    new_opens = opens_at is not UNCHANGED
    new_closes = closes_at is not UNCHANGED
    # A time sent back as it is (the console's form shows times to the minute) is not a change.
    if new_opens:
        opens_at = parse_when(opens_at, local=local)
        new_opens = not _same_minute(opens_at, round_.opens_at)
        if new_opens and round_.state == Round.State.OPEN:
            raise ServiceError("invalid", _("This round is already open: its opening time cannot change."))
        if new_opens:
            round_.opens_at = opens_at
    if new_closes:
        closes_at = parse_when(closes_at, local=local)
        new_closes = not _same_minute(closes_at, round_.closes_at)
        if new_closes:
            round_.closes_at = closes_at
            round_.auto_close = closes_at is not None  # a scheduled close is automatic
    problem = schedule_problem(round_.opens_at, round_.closes_at, now=timezone.now(), new_opens=new_opens, new_closes=new_closes)
    if problem:
        raise ServiceError("invalid", problem[1])
    if auto_publish is not None:
        round_.auto_publish = bool(auto_publish)
    round_.save(update_fields=["opens_at", "closes_at", "auto_close", "auto_publish"])
    # Announced to everyone once scheduled (and when a schedule is taken back, so pages drop it).
    private = was_private and _private(round_)
    audience = Event.Audience.FACILITATORS if private else Event.Audience.ALL
    log(session, "round.scheduled", {"round": selectors.round_summary(round_)}, actor, audience=audience)
    return round_


@locked(rules.RUN_ROUNDS)
def round_close(*, actor: rules.Actor, session: LiveSession, round_id: int) -> Round:
    """Close an open round (always: a count problem is kept in the result); a vote round is counted now."""
    round_ = round_in(session, round_id)
    if round_.state != Round.State.OPEN:
        raise ServiceError("wrong_state")
    round_.state = Round.State.CLOSED
    round_.closed_at = timezone.now()
    if round_.kind == Round.Kind.VOTE:
        round_.result = counting.count_round(round_)
    round_.save()
    by_timer = {"by": "timer"} if actor.system else {}  # the audit log tells the worker's close from a person's
    log(session, "round.closed", {"round": selectors.round_summary(round_)} | by_timer, actor)
    if round_.kind == Round.Kind.VOTE:
        log_counted(session, round_, actor)
        # Published at once when the facilitator chose so, unless the count needs a person (failed, or paper
        # slips typed twice differ): then it waits for review as usual.
        if round_.auto_publish and _publish_problem(round_) is None:
            _publish(session, round_, actor)
    return round_


@locked(rules.RUN_ROUNDS)
def round_recount(
    *, actor: rules.Actor, session: LiveSession, round_id: int, method: str | None = None, seats: int | None = None
) -> Round:
    """Count a closed vote round again, with another method or number of winners when the first count failed."""
    round_ = round_in(session, round_id, kind=Round.Kind.VOTE)
    if round_.state != Round.State.CLOSED:
        raise ServiceError("wrong_state")
    round_.method = method or round_.method
    round_.seats = seats if seats is not None else round_.seats
    clean(round_, exclude=["session"])
    problem = counting.seats_problem(round_.method, round_.seats, round_.ballot_proposals.count())
    if problem:
        raise ServiceError("invalid", problem)
    round_.result = counting.count_round(round_)
    round_.save(update_fields=["method", "seats", "result"])
    log_counted(session, round_, actor)
    return round_


@locked(rules.RUN_ROUNDS)
def round_publish(*, actor: rules.Actor, session: LiveSession, round_id: int) -> Round:
    """Publish a closed vote round's count to the session and the consultation page."""
    round_ = round_in(session, round_id, kind=Round.Kind.VOTE)
    if round_.state != Round.State.CLOSED:
        raise ServiceError("wrong_state")
    problem = _publish_problem(round_)
    if problem:
        raise ServiceError(problem)
    _publish(session, round_, actor)
    return round_


def _publish_problem(round_: Round) -> str | None:
    """Why a closed vote's count cannot be published yet (an error code), or None."""
    if (round_.result or {}).get("outcome") == "count_failed":
        return "count_failed"
    if selectors.double_entry_differences(round_):
        return "double_entry_mismatch"
    return None


def _publish(session: LiveSession, round_: Round, actor: rules.Actor) -> None:
    """Publish a closed vote's count (the session is locked by the calling service)."""
    round_.state = Round.State.PUBLISHED
    round_.published_at = timezone.now()
    round_.save(update_fields=["state", "published_at"])
    log(session, "round.published", {"round": selectors.round_summary(round_), "result": round_.result}, actor)


@locked(rules.RUN_ROUNDS)
def session_end(*, actor: rules.Actor, session: LiveSession) -> LiveSession:
    """End the session: no new participants or rounds; its record and results stay published."""
    if session.status == LiveSession.Status.ENDED:
        raise ServiceError("wrong_state")
    if session.rounds.filter(state=Round.State.OPEN).exists():
        raise ServiceError("invalid", _("Close the open round before ending the session."))
    session.status = LiveSession.Status.ENDED
    session.save(update_fields=["status"])
    log(session, "session.ended", {"status": session.status}, actor)
    return session


@locked(rules.RUN_ROUNDS)
def session_rotate_presenter_key(*, actor: rules.Actor, session: LiveSession) -> LiveSession:
    """Give the room screen a new key: links and screens holding the old key can no longer connect."""
    session.presenter_key_version += 1
    session.save(update_fields=["presenter_key_version"])
    log(
        session,
        "session.presenter_key_rotated",
        {"version": session.presenter_key_version},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return session
