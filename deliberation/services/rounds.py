"""The run of show: preparing rounds, opening and closing them, counting, publishing, ending the session."""

from datetime import timedelta

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
    # Participants never see rounds being prepared: a draft's new words are for the facilitators only.
    audience = Event.Audience.FACILITATORS if round_.state == Round.State.DRAFT else Event.Audience.ALL
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
        if not 0 < int(minutes) <= 24 * 60:
            raise ServiceError("invalid", _("A timer runs from 1 minute to 24 hours."))
        round_.closes_at = now + timedelta(minutes=int(minutes))
    elif auto_close:
        raise ServiceError("invalid", _("Set a timer to close the round automatically."))
    round_.auto_close = bool(auto_close)
    round_.save()
    if session.status != LiveSession.Status.LIVE:
        session.status = LiveSession.Status.LIVE
        session.save(update_fields=["status"])
    log(session, "round.opened", {"round": selectors.round_summary(round_)}, actor)
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
    if (round_.result or {}).get("outcome") == "count_failed":
        raise ServiceError("count_failed")
    if selectors.double_entry_differences(round_):
        raise ServiceError("double_entry_mismatch")
    round_.state = Round.State.PUBLISHED
    round_.published_at = timezone.now()
    round_.save(update_fields=["state", "published_at"])
    log(session, "round.published", {"round": selectors.round_summary(round_), "result": round_.result}, actor)
    return round_


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
