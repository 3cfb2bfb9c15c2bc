"""What every service shares: the lock-and-check opening, validation, the event log, and lookups in a session.

A service locks the session row, checks the permission, validates, saves, appends to the event log and
broadcasts on commit: nothing is announced before it is committed. `locked` is that opening.
"""

import functools
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import rules, selectors, text
from deliberation.broadcast import broadcast
from deliberation.errors import ServiceError
from deliberation.models import REASON_MAX, Comment, Event, LiveSession, Proposal, Round

# Per-participant limit on proposals, comments and flags, shared by every process (it counts the event log).
CONTRIBUTIONS_PER_MINUTE = 10


def lock(session_id: int) -> LiveSession:
    """Lock the session row for the rest of the transaction (serialises seq and state changes)."""
    try:
        return LiveSession.objects.select_for_update().get(pk=session_id)
    except LiveSession.DoesNotExist as exc:
        raise ServiceError("not_found") from exc


def require(actor: rules.Actor, permission: str, obj) -> None:
    """Refuse unless the policy table allows it, with the code rules.refusal gives."""
    code = rules.refusal(actor, permission, obj)
    if code:
        raise ServiceError(code)


def require_not_ended(session: LiveSession) -> None:
    """Refuse an action once the session has ended (whatever state its rounds were left in): its record is final."""
    if session.status == LiveSession.Status.ENDED:
        raise ServiceError("session_ended")


def locked(permission: str, *, refuse_ended: bool = False):
    """The services' opening: in one transaction, lock the session row, require `permission` (and, with
    `refuse_ended`, a session not ended), then run the service with the locked session."""

    def decorate(service):
        @functools.wraps(service)
        @transaction.atomic
        def opened(*, actor: rules.Actor, session: LiveSession, **kwargs):
            session = lock(session.pk)
            require(actor, permission, session)
            if refuse_ended:
                require_not_ended(session)
            return service(actor=actor, session=session, **kwargs)

        return opened

    return decorate


def clean(instance, exclude=None) -> None:
    """full_clean() with errors turned into one ServiceError naming the fields (text first: deliberation/text.py)."""
    text.clean_instance(instance)
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        detail = "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items())
        raise ServiceError("invalid", detail) from exc


def log(session: LiveSession, event_type: str, payload: dict, actor: rules.Actor | None, audience=Event.Audience.ALL) -> Event:
    """Append an event to the session's log and broadcast it once the transaction commits.

    Every event takes the session's next seq; a public one (audience ALL) also moves `last_public_seq`, and its
    message carries the one before as `prev` (docs/protocol.md, "Gaps")."""
    prev = session.last_public_seq
    session.last_seq += 1
    fields = ["last_seq"]
    if audience == Event.Audience.ALL:
        session.last_public_seq = session.last_seq
        fields.append("last_public_seq")
    session.save(update_fields=fields)
    event = Event.objects.create(
        session=session,
        seq=session.last_seq,
        type=event_type,
        payload=payload,
        audience=audience,
        actor_user_id=actor.user_id if actor else None,
        actor_participant=actor.participant if actor else None,
    )
    message = selectors.event_message(event, prev)
    transaction.on_commit(lambda: broadcast(session.pk, message, audience))
    return event


def log_counted(session: LiveSession, round_: Round, actor: rules.Actor) -> Event:
    """Log a vote round's (re)count for the facilitators."""
    payload = {"round": round_.pk, "result": round_.result, "method": round_.method, "seats": round_.seats}
    return log(session, "round.counted", payload, actor, audience=Event.Audience.FACILITATORS)


def round_in(session: LiveSession, round_id, kind=None) -> Round:
    """A round of this session (optionally of a kind), or a clear error."""
    try:
        round_ = Round.objects.get(pk=round_id, session=session)
    except (Round.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    if kind and round_.kind != kind:
        raise ServiceError("wrong_round")
    return round_


def require_open(round_: Round) -> None:
    """Refuse unless the round is open and its timer has not run out."""
    if round_.state != Round.State.OPEN:
        raise ServiceError("round_not_open")
    if round_.closes_at and timezone.now() >= round_.closes_at:
        raise ServiceError("time_up")


def throttle(participant, event_types: list[str], per_minute: int) -> None:
    """Refuse a participant who has done more than `per_minute` of these in the last minute."""
    since = timezone.now() - timedelta(minutes=1)
    recent = Event.objects.filter(actor_participant=participant, type__in=event_types, created_at__gte=since)
    if recent.count() >= per_minute:
        raise ServiceError("rate_limited")


def proposal_in(session: LiveSession, proposal_id, *, usable: bool = False) -> Proposal:
    """A proposal of this session; `usable` also requires it to be visible and not merged."""
    try:
        proposal = Proposal.objects.select_related("round").get(pk=proposal_id, round__session=session)
    except (Proposal.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    if usable and (proposal.hidden or proposal.merged_into_id):
        raise ServiceError("not_found")
    return proposal


def comment_in(session: LiveSession, comment_id) -> Comment:
    """A comment of this session."""
    try:
        return Comment.objects.select_related("round").get(pk=comment_id, round__session=session)
    except (Comment.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc


def undo_reason(reason: str, missing: str) -> str:
    """The reason given for an undo: required, and no longer than other reasons."""
    reason = text.clean_text(reason or "").strip()
    if not reason:
        raise ServiceError("invalid", missing)
    return within_reason_max(reason)


def within_reason_max(reason: str) -> str:
    """Refuse a reason longer than REASON_MAX."""
    if len(reason) > REASON_MAX:
        raise ServiceError("invalid", _("The reason can be up to %(n)s characters.") % {"n": REASON_MAX})
    return reason
