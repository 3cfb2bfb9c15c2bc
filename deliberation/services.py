"""Every state change of the live module.

Each service locks the session row, checks the permission, validates, saves, appends to the
event log and broadcasts on commit: nothing is announced before it is committed.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import counting, rules, selectors, text, throttle
from deliberation.broadcast import broadcast
from deliberation.errors import ServiceError
from deliberation.models import (
    HIDE_REASONS,
    REASON_MAX,
    Ballot,
    Comment,
    Event,
    Flag,
    LiveSession,
    Participant,
    Proposal,
    Round,
    VotingCard,
    normalise_code,
)

# Per-participant limits, shared by every process (they count the event log, not memory).
CONTRIBUTIONS_PER_MINUTE = 10
BALLOTS_PER_MINUTE = 20


# --- plumbing -------------------------------------------------------------------------------


def _lock(session_id):
    """Lock the session row for the rest of the transaction (serialises seq and state changes)."""
    try:
        return LiveSession.objects.select_for_update().get(pk=session_id)
    except LiveSession.DoesNotExist as exc:
        raise ServiceError("not_found") from exc


def _require(actor, permission, obj):
    """Refuse unless the policy table allows it."""
    if not rules.can(actor, permission, obj):
        participant_only = permission in {
            rules.SUBMIT_PROPOSAL,
            rules.SUBMIT_COMMENT,
            rules.CAST_BALLOT,
            rules.FLAG_CONTRIBUTION,
            rules.RENAME_SELF,
        }
        if participant_only and actor.participant is None:
            raise ServiceError("not_joined")
        if participant_only and rules.is_session_participant(actor, obj):
            # A joined participant refused by eligibility is told why (no card, not on the list, not admitted).
            raise ServiceError(rules.ineligibility(actor.participant, obj) or "forbidden")
        raise ServiceError("forbidden")


def _clean(instance, exclude=None):
    """full_clean() with errors turned into one ServiceError naming the fields (text first: deliberation/text.py)."""
    text.clean_instance(instance)
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        detail = "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items())
        raise ServiceError("invalid", detail) from exc


def _log(session, event_type, payload, actor, audience=Event.Audience.ALL):
    """Append an event to the session's log and broadcast it once the transaction commits."""
    session.last_seq += 1
    session.save(update_fields=["last_seq"])
    event = Event.objects.create(
        session=session,
        seq=session.last_seq,
        type=event_type,
        payload=payload,
        audience=audience,
        actor_user_id=actor.user_id if actor else None,
        actor_participant=actor.participant if actor else None,
    )
    message = event.as_message()
    transaction.on_commit(lambda: broadcast(session.pk, message, audience))
    return event


def _round_in(session, round_id, kind=None):
    """A round of this session (optionally of a kind), or a clear error."""
    try:
        round_ = Round.objects.get(pk=round_id, session=session)
    except (Round.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    if kind and round_.kind != kind:
        raise ServiceError("wrong_round")
    return round_


def _require_not_ended(session):
    """Refuse an action once the session has ended (whatever state its rounds were left in): its record is final."""
    if session.status == LiveSession.Status.ENDED:
        raise ServiceError("session_ended")


def _require_open(round_):
    """Refuse unless the round is open and its timer has not run out."""
    if round_.state != Round.State.OPEN:
        raise ServiceError("round_not_open")
    if round_.closes_at and timezone.now() >= round_.closes_at:
        raise ServiceError("time_up")


def _throttle(participant, event_types, per_minute):
    """Refuse a participant who has done more than `per_minute` of these in the last minute."""
    since = timezone.now() - timedelta(minutes=1)
    recent = Event.objects.filter(actor_participant=participant, type__in=event_types, created_at__gte=since)
    if recent.count() >= per_minute:
        raise ServiceError("rate_limited")


def _public_reason(text):
    """A hiding reason: a preset typed or picked in any language is stored as its code."""
    from django.conf import settings
    from django.utils import translation

    from deliberation.text import clean_text  # the parameter shadows the module

    text = clean_text(text or "").strip()
    if not text:
        raise ServiceError("invalid", _("Give the public reason for hiding it."))
    for code, label in HIDE_REASONS.items():
        if text == code:
            return code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if text.casefold() == str(label).casefold():
                    return code
    return text


def _proposal_in(session, proposal_id, *, usable=False):
    """A proposal of this session; `usable` also requires it to be visible and not merged."""
    try:
        proposal = Proposal.objects.select_related("round").get(pk=proposal_id, round__session=session)
    except (Proposal.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    if usable and (proposal.hidden or proposal.merged_into_id):
        raise ServiceError("not_found")
    return proposal


def _comment_in(session, comment_id):
    """A comment of this session."""
    try:
        return Comment.objects.select_related("round").get(pk=comment_id, round__session=session)
    except (Comment.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc


# --- participants ---------------------------------------------------------------------------


def _find_card(session, card_code, address):
    """The unused card of this session with that code, locked; wrong codes count towards the address's throttle."""
    scope = throttle.card_scope(address)
    if not throttle.allow(scope, throttle.CARD_FAILURES, throttle.CARD_WINDOW):
        raise ServiceError("card_throttled")
    card = VotingCard.objects.select_for_update().filter(code=normalise_code(card_code), session=session).first()
    if card is None:
        throttle.fail(scope, throttle.CARD_WINDOW)
        raise ServiceError("card_unknown")
    if card.participant_id is not None:
        raise ServiceError("card_used")
    return card


def _bind_card(card, participant):
    """Give the card to the participant; the conditional update makes a second, racing use lose."""
    taken = VotingCard.objects.filter(pk=card.pk, participant__isnull=True).update(
        participant=participant, used_at=timezone.now()
    )
    if not taken:
        raise ServiceError("card_used")


def _join_flood_check(address, device_key):
    """Open mode: refuse a browser or an address that made too many new participants just now (docs/eligibility.md)."""
    limits = [
        (throttle.join_address_scope(address), throttle.JOINS_PER_ADDRESS) if address else None,
        (throttle.join_device_scope(device_key), throttle.JOINS_PER_DEVICE) if device_key else None,
    ]
    limits = [limit for limit in limits if limit]
    if not all(throttle.allow(scope, limit, throttle.JOIN_WINDOW) for scope, limit in limits):
        raise ServiceError("join_throttled")
    return [scope for scope, _limit in limits]


def _pending_check(session, address):
    """Admission mode: at most PENDING_PER_ADDRESS requests from one address wait for the facilitator at once."""
    ids = throttle.pending_ids(session.pk, address)
    waiting = list(Participant.objects.filter(pk__in=ids, admission=Participant.Admission.PENDING).values_list("pk", flat=True))
    if len(waiting) >= throttle.PENDING_PER_ADDRESS:
        raise ServiceError("admission_throttled")
    return waiting


@transaction.atomic
def participant_join(
    *, session, user=None, participant_id=None, display_name="", card_code="", device="", address="", device_key=""
):
    """Join a session (or come back to it) under its eligibility mode: reuse the browser's or the user's participant.

    `card_code` (cards mode) admits as a voter; `device` is throttle.device_hash(...); `address` (client address)
    and `device_key` (the Django session key) feed the card-guess, join-flood and admission throttles.
    """
    session = _lock(session.pk)
    signed_in = user is not None and user.is_authenticated
    existing = None
    if participant_id:
        existing = Participant.objects.filter(pk=participant_id, session=session).first()
    if existing is None and signed_in:
        existing = Participant.objects.filter(session=session, user=user).first()
    mode = session.eligibility
    if existing is not None:
        if card_code and mode == LiveSession.Eligibility.CARDS and not _holds_card(existing):
            _bind_card(_find_card(session, card_code, address), existing)
            _log(
                session,
                "participant.card_used",
                {"participant": existing.pk},
                rules.Actor(participant=existing),
                audience=Event.Audience.FACILITATORS,
            )
        return existing
    card, flood_scopes, waiting = None, [], None
    admission = Participant.Admission.ADMITTED
    if mode == LiveSession.Eligibility.CARDS and card_code:
        card = _find_card(session, card_code, address)
    elif mode == LiveSession.Eligibility.SIGNIN:
        if not signed_in:
            raise ServiceError("sign_in_required")
        if not session.uncarded_may_contribute and not session.voters.filter(pk=user.pk).exists():
            raise ServiceError("not_on_list")
    elif mode == LiveSession.Eligibility.ADMISSION:
        admission = Participant.Admission.PENDING
        waiting = _pending_check(session, address) if address else None
    elif mode in (LiveSession.Eligibility.OPEN, LiveSession.Eligibility.CARDS):
        flood_scopes = _join_flood_check(address, device_key)  # cards: people without a card may still propose
    participant = Participant(session=session, display_name=display_name.strip(), admission=admission, device=(device or "")[:32])
    if signed_in:
        participant.user = user
        participant.display_name = participant.display_name or user.get_full_name() or user.get_username()
    _clean(participant, exclude=["session", "user"])
    participant.save()
    if card is not None:
        _bind_card(card, participant)
    for scope in flood_scopes:
        throttle.fail(scope, throttle.JOIN_WINDOW)
    if waiting is not None:
        throttle.remember_pending(session.pk, address, waiting + [participant.pk])
    actor = rules.Actor(user=user, participant=participant)
    summary = {"participant": selectors.participant_summary(participant)}
    if admission == Participant.Admission.PENDING:
        _log(session, "participant.admission_requested", summary, actor, audience=Event.Audience.FACILITATORS)
    else:
        _log(session, "participant.joined", summary, actor, audience=Event.Audience.FACILITATORS)
    return participant


def _holds_card(participant):
    """Whether the participant already holds a voting card."""
    return VotingCard.objects.filter(participant=participant).exists()


@transaction.atomic
def participant_use_card(*, actor, session, card_code, address=""):
    """A joined participant without a card adds one (cards mode) and becomes a voter."""
    session = _lock(session.pk)
    if actor.participant is None or not rules.is_session_participant(actor, session):
        raise ServiceError("not_joined")
    _require_not_ended(session)
    if session.eligibility != LiveSession.Eligibility.CARDS:
        raise ServiceError("invalid", _("This session does not use voting cards."))
    participant = Participant.objects.get(pk=actor.participant.pk)
    if _holds_card(participant):
        raise ServiceError("card_held")
    # Over a socket there is no address: the participant's device hash (or the participant) is the scope.
    scope = address or (f"device:{participant.device}" if participant.device else f"participant:{participant.pk}")
    _bind_card(_find_card(session, card_code, scope), participant)
    _log(session, "participant.card_used", {"participant": participant.pk}, actor, audience=Event.Audience.FACILITATORS)
    return participant


def _participant_in(session, participant_id):
    """A participant of this session, or `not_found`."""
    try:
        return Participant.objects.get(pk=participant_id, session=session)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc


def _set_admission(actor, session, participant_id, admission, event_type):
    """Admit or refuse a participant; their sockets learn it from an event that carries only the id."""
    session = _lock(session.pk)
    _require(actor, rules.MANAGE_ELIGIBILITY, session)
    participant = _participant_in(session, participant_id)
    if participant.admission == admission:
        raise ServiceError("wrong_state")
    participant.admission = admission
    participant.save(update_fields=["admission"])
    _log(session, event_type, {"participant": participant.pk}, actor)
    return participant


@transaction.atomic
def participant_admit(*, actor, session, participant_id):
    """Admit a participant waiting (or refused before): they may now take part."""
    return _set_admission(actor, session, participant_id, Participant.Admission.ADMITTED, "participant.admitted")


@transaction.atomic
def participant_refuse(*, actor, session, participant_id):
    """Refuse a participant: they can no longer watch or take part."""
    return _set_admission(actor, session, participant_id, Participant.Admission.REFUSED, "participant.refused")


# --- eligibility ------------------------------------------------------------------------------

CARDS_PER_CALL = 1000


@transaction.atomic
def session_set_eligibility(*, actor, session, mode, uncarded_may_contribute=None, double_entry=None):
    """Choose who may vote (and the options); refused once a vote has opened with this session's rules in force."""
    session = _lock(session.pk)
    _require(actor, rules.MANAGE_ELIGIBILITY, session)
    _require_not_ended(session)
    if mode not in LiveSession.Eligibility.values:
        raise ServiceError("invalid", _("Choose open, voting cards, sign-in or admission."))
    wanted = {"eligibility": mode}
    if uncarded_may_contribute is not None:
        wanted["uncarded_may_contribute"] = bool(uncarded_may_contribute)
    if double_entry is not None:
        wanted["double_entry"] = bool(double_entry)
    changed = [field for field, value in wanted.items() if getattr(session, field) != value]
    if not changed:
        return session
    if selectors.eligibility_locked(session):
        raise ServiceError("eligibility_locked")
    for field in changed:
        setattr(session, field, wanted[field])
    session.save(update_fields=changed)
    _log(session, "session.eligibility_set", selectors.eligibility_summary(session), actor)
    return session


@transaction.atomic
def cards_generate(*, actor, session, count):
    """Make `count` (1..1000) new single-use voting cards, numbered on from the last; logged without their codes."""
    session = _lock(session.pk)
    _require(actor, rules.MANAGE_ELIGIBILITY, session)
    _require_not_ended(session)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= CARDS_PER_CALL:
        raise ServiceError("invalid", _("Make between 1 and %(n)s cards at a time.") % {"n": CARDS_PER_CALL})
    last = session.cards.order_by("-number").values_list("number", flat=True).first() or 0
    VotingCard.objects.bulk_create([VotingCard(session=session, number=last + i) for i in range(1, count + 1)])
    _log(
        session,
        "cards.generated",
        {"count": count, "first": last + 1, "last": last + count},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return list(session.cards.filter(number__gt=last).order_by("number"))


def _user_by_username(username):
    """The user with that username (case as typed or not), or `not_found`."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": (username or "").strip()}).first()
    if user is None:
        raise ServiceError("not_found", _("No one has that username."))
    return user


def _change_list(actor, session, usernames, add):
    """Add or remove people on the sign-in list; logged for facilitators."""
    session = _lock(session.pk)
    _require(actor, rules.MANAGE_ELIGIBILITY, session)
    users = [_user_by_username(name) for name in usernames]
    (session.voters.add if add else session.voters.remove)(*users)
    names = [u.get_username() for u in users]
    _log(session, "voter.added" if add else "voter.removed", {"usernames": names}, actor, audience=Event.Audience.FACILITATORS)
    return users


@transaction.atomic
def voter_add(*, actor, session, username):
    """Put a signed-in user on the session's sign-in list."""
    return _change_list(actor, session, [username], add=True)[0]


@transaction.atomic
def voter_remove(*, actor, session, username):
    """Take a user off the session's sign-in list."""
    return _change_list(actor, session, [username], add=False)[0]


@transaction.atomic
def voters_set(*, actor, session, usernames):
    """Make the sign-in list exactly these usernames."""
    session = _lock(session.pk)
    _require(actor, rules.MANAGE_ELIGIBILITY, session)
    users = [_user_by_username(name) for name in usernames if name.strip()]
    session.voters.set(users)
    _log(
        session,
        "voter.list_set",
        {"usernames": sorted(u.get_username() for u in users)},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return users


@transaction.atomic
def participant_rename(*, actor, session, name):
    """Change the acting participant's display name (blank means anonymous)."""
    session = _lock(session.pk)
    _require(actor, rules.RENAME_SELF, session)
    _require_not_ended(session)
    participant = Participant.objects.get(pk=actor.participant.pk)
    participant.display_name = name.strip()
    _clean(participant, exclude=["session", "user"])
    participant.save(update_fields=["display_name"])
    _log(
        session,
        "participant.renamed",
        {"participant": selectors.participant_summary(participant)},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return participant


# --- rounds ---------------------------------------------------------------------------------

ROUND_FIELDS = ("kind", "title", "prompt", "max_per_participant", "method", "seats")


@transaction.atomic
def round_create(*, actor, session, **fields):
    """Prepare a new draft round at the end of the run of show."""
    session = _lock(session.pk)
    _require(actor, rules.PREPARE_ROUNDS, session)
    _require_not_ended(session)
    last = session.rounds.order_by("-position").values_list("position", flat=True).first()
    round_ = Round(session=session, position=(last or 0) + 1, **{k: v for k, v in fields.items() if k in ROUND_FIELDS})
    _clean(round_, exclude=["session"])
    round_.save()
    _log(session, "round.created", {"round": selectors.round_summary(round_)}, actor, audience=Event.Audience.FACILITATORS)
    return round_


@transaction.atomic
def round_update(*, actor, session, round_id, **fields):
    """Change a draft round's settings."""
    session = _lock(session.pk)
    _require(actor, rules.PREPARE_ROUNDS, session)
    round_ = _round_in(session, round_id)
    if round_.state != Round.State.DRAFT:
        raise ServiceError("wrong_state")
    for key, value in fields.items():
        if key in ROUND_FIELDS:
            setattr(round_, key, value)
    _clean(round_, exclude=["session"])
    round_.save()
    _log(session, "round.updated", {"round": selectors.round_summary(round_)}, actor, audience=Event.Audience.FACILITATORS)
    return round_


@transaction.atomic
def round_reorder(*, actor, session, order):
    """Reorder the draft rounds; rounds already opened keep their place before them."""
    session = _lock(session.pk)
    _require(actor, rules.PREPARE_ROUNDS, session)
    drafts = {r.pk: r for r in session.rounds.filter(state=Round.State.DRAFT)}
    if sorted(order) != sorted(drafts) or len(set(order)) != len(order):
        raise ServiceError("invalid", _("List every round still being prepared, once each."))
    start = session.rounds.exclude(state=Round.State.DRAFT).count() + 1
    for offset, round_id in enumerate(order):
        drafts[round_id].position = start + offset
    Round.objects.bulk_update(drafts.values(), ["position"])
    _log(session, "round.reordered", {"order": list(order)}, actor, audience=Event.Audience.FACILITATORS)
    return [drafts[i] for i in order]


@transaction.atomic
def round_open(*, actor, session, round_id, minutes=None, auto_close=False):
    """Open a draft round (one open round at a time), with an optional timer that may close it by itself."""
    session = _lock(session.pk)
    _require(actor, rules.RUN_ROUNDS, session)
    _require_not_ended(session)
    round_ = _round_in(session, round_id)
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
    _log(session, "round.opened", {"round": selectors.round_summary(round_)}, actor)
    return round_


@transaction.atomic
def round_close(*, actor, session, round_id):
    """Close an open round (always: a count problem is kept in the result); a vote round is counted now."""
    session = _lock(session.pk)
    _require(actor, rules.RUN_ROUNDS, session)
    round_ = _round_in(session, round_id)
    if round_.state != Round.State.OPEN:
        raise ServiceError("wrong_state")
    round_.state = Round.State.CLOSED
    round_.closed_at = timezone.now()
    if round_.kind == Round.Kind.VOTE:
        round_.result = counting.count_round(round_)
    round_.save()
    by_timer = {"by": "timer"} if actor.system else {}  # the audit log tells the worker's close from a person's
    _log(session, "round.closed", {"round": selectors.round_summary(round_)} | by_timer, actor)
    if round_.kind == Round.Kind.VOTE:
        _log(
            session,
            "round.counted",
            {"round": round_.pk, "result": round_.result, "method": round_.method, "seats": round_.seats},
            actor,
            audience=Event.Audience.FACILITATORS,
        )
    return round_


@transaction.atomic
def round_recount(*, actor, session, round_id, method=None, seats=None):
    """Count a closed vote round again, with another method or number of winners when the first count failed."""
    session = _lock(session.pk)
    _require(actor, rules.RUN_ROUNDS, session)
    round_ = _round_in(session, round_id, kind=Round.Kind.VOTE)
    if round_.state != Round.State.CLOSED:
        raise ServiceError("wrong_state")
    round_.method = method or round_.method
    round_.seats = seats if seats is not None else round_.seats
    _clean(round_, exclude=["session"])
    problem = counting.seats_problem(round_.method, round_.seats, round_.ballot_proposals.count())
    if problem:
        raise ServiceError("invalid", problem)
    round_.result = counting.count_round(round_)
    round_.save(update_fields=["method", "seats", "result"])
    _log(
        session,
        "round.counted",
        {"round": round_.pk, "result": round_.result, "method": round_.method, "seats": round_.seats},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return round_


@transaction.atomic
def round_publish(*, actor, session, round_id):
    """Publish a closed vote round's count to the session and the consultation page."""
    session = _lock(session.pk)
    _require(actor, rules.RUN_ROUNDS, session)
    round_ = _round_in(session, round_id, kind=Round.Kind.VOTE)
    if round_.state != Round.State.CLOSED:
        raise ServiceError("wrong_state")
    if (round_.result or {}).get("outcome") == "count_failed":
        raise ServiceError("count_failed")
    if selectors.double_entry_differences(round_):
        raise ServiceError("double_entry_mismatch")
    round_.state = Round.State.PUBLISHED
    round_.published_at = timezone.now()
    round_.save(update_fields=["state", "published_at"])
    _log(session, "round.published", {"round": selectors.round_summary(round_), "result": round_.result}, actor)
    return round_


@transaction.atomic
def session_end(*, actor, session):
    """End the session: no new participants or rounds; its record and results stay published."""
    session = _lock(session.pk)
    _require(actor, rules.RUN_ROUNDS, session)
    if session.status == LiveSession.Status.ENDED:
        raise ServiceError("wrong_state")
    if session.rounds.filter(state=Round.State.OPEN).exists():
        raise ServiceError("invalid", _("Close the open round before ending the session."))
    session.status = LiveSession.Status.ENDED
    session.save(update_fields=["status"])
    _log(session, "session.ended", {"status": session.status}, actor)
    return session


@transaction.atomic
def session_rotate_presenter_key(*, actor, session):
    """Give the room screen a new key: links and screens holding the old key can no longer connect."""
    session = _lock(session.pk)
    _require(actor, rules.RUN_ROUNDS, session)
    session.presenter_key_version += 1
    session.save(update_fields=["presenter_key_version"])
    _log(
        session,
        "session.presenter_key_rotated",
        {"version": session.presenter_key_version},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return session


# --- proposals ------------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(*, actor, session, round_id, title, body="", ref=""):
    """Submit a proposal in an open proposal round (a retry with the same ref returns the first)."""
    session = _lock(session.pk)
    _require(actor, rules.SUBMIT_PROPOSAL, session)
    if ref:
        existing = Proposal.objects.filter(author=actor.participant, client_ref=ref).first()
        if existing is not None:
            return existing
    _require_not_ended(session)
    round_ = _round_in(session, round_id, kind=Round.Kind.PROPOSAL)
    _require_open(round_)
    _throttle(actor.participant, ["proposal.submitted", "comment.submitted"], CONTRIBUTIONS_PER_MINUTE)
    if round_.max_per_participant:
        if Proposal.objects.filter(round=round_, author=actor.participant).count() >= round_.max_per_participant:
            raise ServiceError("limit_reached")
    proposal = Proposal(
        round=round_,
        author=actor.participant,
        author_name=actor.participant.display_name,
        title=title.strip(),
        body=body.strip(),
        client_ref=ref,
    )
    _clean(proposal, exclude=["round", "author"])
    proposal.save()
    _log(session, "proposal.submitted", {"proposal": selectors.proposal_public(proposal)}, actor)
    return proposal


def _set_visibility(actor, session, item, kind, *, hide, reason=""):
    """Hide a proposal or comment behind a public reason, or restore it; logged as `<kind>.hidden/restored`."""
    if not hide and not item.hidden:
        raise ServiceError("wrong_state")
    item.hidden, item.hidden_reason = hide, _public_reason(reason) if hide else ""
    if len(item.hidden_reason) > REASON_MAX:
        raise ServiceError("invalid", _("The reason can be up to %(n)s characters.") % {"n": REASON_MAX})
    item.save(update_fields=["hidden", "hidden_reason"])
    if hide:
        Flag.objects.filter(**{kind: item}).update(resolved=True)  # dealt with
    public = selectors.proposal_public if kind == "proposal" else selectors.comment_public
    _log(session, f"{kind}.{'hidden' if hide else 'restored'}", {kind: public(item)}, actor)
    return item


@transaction.atomic
def proposal_hide(*, actor, session, proposal_id, reason):
    """Hide a proposal, leaving a public stub with the reason."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    return _set_visibility(actor, session, _proposal_in(session, proposal_id), "proposal", hide=True, reason=reason)


@transaction.atomic
def proposal_restore(*, actor, session, proposal_id):
    """Show a hidden proposal again."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    return _set_visibility(actor, session, _proposal_in(session, proposal_id), "proposal", hide=False)


@transaction.atomic
def proposal_merge(*, actor, session, proposal_id, into_id):
    """Merge a duplicate into the proposal kept: it points there and its comments move with it."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    duplicate = _proposal_in(session, proposal_id, usable=True)
    kept = _proposal_in(session, into_id, usable=True)
    if duplicate.pk == kept.pk:
        raise ServiceError("invalid", _("A proposal cannot be merged into itself."))
    duplicate.merged_into = kept
    duplicate.save(update_fields=["merged_into"])
    # Remember where each comment was written (an earlier merge's mark stays), so the merge can be undone.
    Comment.objects.filter(proposal=duplicate, moved_from__isnull=True).update(moved_from=duplicate)
    moved = Comment.objects.filter(proposal=duplicate).update(proposal=kept)
    for round_ in Round.objects.filter(session=session, state=Round.State.DRAFT, ballot_proposals=duplicate):
        round_.ballot_proposals.remove(duplicate)
        round_.ballot_proposals.add(kept)
    payload = {
        "proposal": selectors.proposal_public(duplicate),
        "into": selectors.proposal_public(kept),
        "comments_moved": moved,
    }
    _log(session, "proposal.merged", payload, actor)
    return kept


def _undo_reason(reason, missing):
    """The reason given for an undo: required, and no longer than other reasons."""
    reason = text.clean_text(reason or "").strip()
    if not reason:
        raise ServiceError("invalid", missing)
    if len(reason) > REASON_MAX:
        raise ServiceError("invalid", _("The reason can be up to %(n)s characters.") % {"n": REASON_MAX})
    return reason


@transaction.atomic
def proposal_unmerge(*, actor, session, proposal_id, reason):
    """Undo a merge: the duplicate stands on its own again and the comments written on it move back."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    duplicate = _proposal_in(session, proposal_id)
    reason = _undo_reason(reason, _("Give the reason for undoing the merge."))
    if duplicate.merged_into_id is None:
        raise ServiceError("wrong_state", _("That proposal is not merged."))
    kept = duplicate.merged_into
    # Comments written on the duplicate, or on proposals merged into it earlier (those merges stand).
    family = frontier = {duplicate.pk}
    while frontier:
        frontier = set(Proposal.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - family
        family = family | frontier
    moving = set(Comment.objects.filter(moved_from__in=family).values_list("pk", flat=True))
    moving |= set(Comment.objects.filter(parent__in=moving).values_list("pk", flat=True))  # replies follow
    Comment.objects.filter(pk__in=moving).update(proposal=duplicate)
    Comment.objects.filter(pk__in=moving, moved_from=duplicate).update(moved_from=None)
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into"])
    if not duplicate.hidden:
        for round_ in Round.objects.filter(session=session, state=Round.State.DRAFT, ballot_proposals=kept):
            round_.ballot_proposals.add(duplicate)
    payload = {
        "proposal": selectors.proposal_public(duplicate),
        "from": selectors.proposal_public(kept),
        "comments_moved": len(moving),
        "comments": sorted(moving),
        "reason": reason,
    }
    _log(session, "proposal.unmerged", payload, actor)
    return duplicate


@transaction.atomic
def proposal_edit_title(*, actor, session, proposal_id, title):
    """Reword a proposal's title for clarity; the original is kept and shown as edited."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    proposal = _proposal_in(session, proposal_id)
    if not proposal.original_title:
        proposal.original_title = proposal.title
    proposal.title = (title or "").strip()
    _clean(proposal, exclude=["round", "author", "merged_into"])
    proposal.save(update_fields=["title", "original_title"])
    _log(session, "proposal.edited", {"proposal": selectors.proposal_public(proposal)}, actor)
    return proposal


# --- comments -------------------------------------------------------------------------------


@transaction.atomic
def comment_submit(*, actor, session, round_id, proposal_id, body, stance="", parent_id=None, ref=""):
    """Comment on a proposal (or reply to a top-level comment) in an open comment round."""
    session = _lock(session.pk)
    _require(actor, rules.SUBMIT_COMMENT, session)
    if ref:
        existing = Comment.objects.filter(author=actor.participant, client_ref=ref).first()
        if existing is not None:
            return existing
    _require_not_ended(session)
    round_ = _round_in(session, round_id, kind=Round.Kind.COMMENT)
    _require_open(round_)
    proposal = _proposal_in(session, proposal_id, usable=True)
    parent = None
    if parent_id is not None:
        parent = _comment_in(session, parent_id)
        if parent.parent_id is not None or parent.proposal_id != proposal.pk or parent.hidden:
            raise ServiceError("invalid", _("Replies go to a visible comment on the same proposal."))
    _throttle(actor.participant, ["proposal.submitted", "comment.submitted"], CONTRIBUTIONS_PER_MINUTE)
    comment = Comment(
        round=round_,
        proposal=proposal,
        parent=parent,
        author=actor.participant,
        author_name=actor.participant.display_name,
        body=(body or "").strip(),
        stance=stance or "",
        client_ref=ref,
    )
    _clean(comment, exclude=["round", "proposal", "parent", "author"])
    comment.save()
    _log(session, "comment.submitted", {"comment": selectors.comment_public(comment)}, actor)
    return comment


@transaction.atomic
def comment_hide(*, actor, session, comment_id, reason):
    """Hide a comment, leaving a public stub with the reason."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    return _set_visibility(actor, session, _comment_in(session, comment_id), "comment", hide=True, reason=reason)


@transaction.atomic
def comment_restore(*, actor, session, comment_id):
    """Show a hidden comment again."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    return _set_visibility(actor, session, _comment_in(session, comment_id), "comment", hide=False)


# --- flags ----------------------------------------------------------------------------------


@transaction.atomic
def flag_submit(*, actor, session, proposal_id=None, comment_id=None, reason=""):
    """Ask the facilitators to look at a proposal or comment (once per participant and item)."""
    session = _lock(session.pk)
    _require(actor, rules.FLAG_CONTRIBUTION, session)
    _require_not_ended(session)
    if (proposal_id is None) == (comment_id is None):
        raise ServiceError("invalid", _("Flag one proposal or one comment."))
    target = (
        {"proposal": _proposal_in(session, proposal_id)}
        if proposal_id is not None
        else {"comment": _comment_in(session, comment_id)}
    )
    flag, created = Flag.objects.get_or_create(
        session=session, participant=actor.participant, **target, defaults={"reason": text.clean_text(reason or "").strip()[:200]}
    )
    if created:
        _throttle(actor.participant, ["flag.submitted"], CONTRIBUTIONS_PER_MINUTE)
        _log(session, "flag.submitted", {"flag": selectors.flag_summary(flag)}, actor, audience=Event.Audience.FACILITATORS)
    return flag


@transaction.atomic
def flag_resolve(*, actor, session, flag_id):
    """Mark a flag as dealt with."""
    session = _lock(session.pk)
    _require(actor, rules.MODERATE, session)
    updated = Flag.objects.filter(pk=flag_id, session=session, resolved=False).update(resolved=True)
    if not updated:
        raise ServiceError("not_found")
    _log(session, "flag.resolved", {"flag": flag_id}, actor, audience=Event.Audience.FACILITATORS)


# --- ballots --------------------------------------------------------------------------------


def _valid_ranking(round_, ranking):
    """Check a ranking: a non-empty list of distinct proposals that are on this round's ballot."""
    if not isinstance(ranking, list) or not ranking:
        raise ServiceError("invalid", _("Rank at least one proposal."))
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in ranking):
        raise ServiceError("invalid", _("A ranking lists proposal numbers."))
    if len(set(ranking)) != len(ranking):
        raise ServiceError("invalid", _("Each proposal can be ranked only once."))
    allowed = set(round_.ballot_proposals.values_list("pk", flat=True))
    if not set(ranking) <= allowed:
        raise ServiceError("invalid", _("Only proposals on this ballot can be ranked."))
    return ranking


@transaction.atomic
def ballot_cast(*, actor, session, round_id, ranking, ref=""):
    """Cast or change the acting participant's ballot; the last one before closing counts."""
    session = _lock(session.pk)
    _require(actor, rules.CAST_BALLOT, session)
    round_ = _round_in(session, round_id, kind=Round.Kind.VOTE)
    if ref:
        # A resent ballot whose ack was lost is acknowledged even after the close: it counted.
        sent = Ballot.objects.filter(round=round_, participant=actor.participant, client_ref=ref).first()
        if sent is not None and sent.ranking == ranking:
            return sent
    _require_not_ended(session)
    _require_open(round_)
    ranking = _valid_ranking(round_, ranking)
    ballot = Ballot.objects.filter(round=round_, participant=actor.participant).first()
    if ballot is not None and ballot.ranking == ranking:
        return ballot  # a retry or an unchanged ballot: nothing to record
    _throttle(actor.participant, ["ballot.cast"], BALLOTS_PER_MINUTE)
    if ballot is None:
        card = VotingCard.objects.filter(participant=actor.participant).first()
        if card is not None and _card_voted(round_, card):
            raise ServiceError("card_used")  # this card's slip was entered on paper
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    round=round_, participant=actor.participant, ranking=ranking, client_ref=ref, card=card
                )
        except IntegrityError as exc:  # the database constraint is the last word on one ballot each
            if card is not None and _card_voted(round_, card):
                raise ServiceError("card_used") from exc
            raise ServiceError("invalid", _("Your ballot is already being recorded. Try again.")) from exc
    else:
        ballot.ranking, ballot.client_ref = ranking, ref
        ballot.save(update_fields=["ranking", "client_ref", "updated_at"])
    _log(
        session,
        "ballot.cast",
        {"round": round_.pk, "ballots": counting.valid_ballots(round_).count()},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return ballot


def _card_voted(round_, card):
    """Whether a counted (pass 1, not voided) ballot of this round was cast with this card, online or on paper."""
    return Ballot.objects.filter(round=round_, card=card, entry_pass=1, voided_at__isnull=True).exists()


@transaction.atomic
def ballot_enter_paper(*, actor, session, round_id, ranking, ref="", card_code="", entry_pass=1):
    """Enter a paper slip from the room (numbered per round and pass), optionally tied to the voting card on it.

    With double entry, pass 2 is a second person's typing of the same pile: never counted, compared slip by slip.
    """
    session = _lock(session.pk)
    _require(actor, rules.ENTER_PAPER_BALLOT, session)
    round_ = _round_in(session, round_id, kind=Round.Kind.VOTE)
    if round_.state != Round.State.OPEN:
        raise ServiceError("round_not_open")
    if entry_pass not in (1, 2) or (entry_pass == 2 and not session.double_entry):
        raise ServiceError("invalid", _("A second typing of the slips needs double entry to be on."))
    if ref:
        existing = Ballot.objects.filter(round=round_, entered_by_id=actor.user_id, client_ref=ref, is_paper=True)
        if existing.exists():
            return existing.get()
    ranking = _valid_ranking(round_, ranking)
    card = None
    if card_code:
        card = session.cards.filter(code=normalise_code(card_code)).first()
        if card is None:
            raise ServiceError("card_unknown")
        if entry_pass == 1 and _card_voted(round_, card):
            raise ServiceError("card_used")
    last = (
        Ballot.objects.filter(round=round_, is_paper=True, entry_pass=entry_pass)
        .order_by("-slip_number")
        .values_list("slip_number", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                round=round_,
                ranking=ranking,
                is_paper=True,
                entered_by=actor.user,
                client_ref=ref,
                card=card,
                slip_number=(last or 0) + 1,
                entry_pass=entry_pass,
            )
    except IntegrityError as exc:  # the database's one ballot per card: a racing online ballot won
        raise ServiceError("card_used" if card is not None else "invalid") from exc
    payload = {
        "round": round_.pk,
        "ballots": counting.valid_ballots(round_).count(),
        "paper_ballot": ballot.pk,
        "slip": selectors.paper_slip(ballot),
    }
    _log(session, "ballot.paper_entered", payload, actor, audience=Event.Audience.FACILITATORS)
    return ballot


@transaction.atomic
def ballot_void_paper(*, actor, session, ballot_id, reason):
    """Void a paper slip typed in error: kept with the reason, left out of the count (re-counted if closed)."""
    session = _lock(session.pk)
    _require(actor, rules.ENTER_PAPER_BALLOT, session)
    try:
        ballot = Ballot.objects.select_related("round").get(pk=ballot_id, round__session=session)
    except (Ballot.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    reason = _undo_reason(reason, _("Give the reason for voiding this slip."))
    if not ballot.is_paper:
        raise ServiceError("invalid", _("Only paper slips can be voided."))
    if ballot.voided_at is not None:
        raise ServiceError("invalid", _("This slip is already voided."))
    round_ = ballot.round
    if round_.state not in (Round.State.OPEN, Round.State.CLOSED):
        raise ServiceError("wrong_state")
    ballot.voided_at, ballot.voided_by, ballot.void_reason = timezone.now(), actor.user, reason
    ballot.save(update_fields=["voided_at", "voided_by", "void_reason"])
    payload = {
        "round": round_.pk,
        "ballots": counting.valid_ballots(round_).count(),
        "paper_ballot": ballot.pk,
        "reason": reason,
        "slip": selectors.paper_slip(ballot),
    }
    _log(session, "ballot.paper_voided", payload, actor, audience=Event.Audience.FACILITATORS)
    if round_.state == Round.State.CLOSED:  # the kept result must not count the voided slip
        round_.result = counting.count_round(round_)
        round_.save(update_fields=["result"])
        counted = {"round": round_.pk, "result": round_.result, "method": round_.method, "seats": round_.seats}
        _log(session, "round.counted", counted, actor, audience=Event.Audience.FACILITATORS)
    return ballot


# --- presence (advisory: not logged, no seq) ---------------------------------------------------


def presence_enter(*, session_id, channel_name, facilitator, participant_id=None, user_id=None):
    """Record an open socket on a session (whose person it is), and forget sockets not heard from in time."""
    from deliberation.models import Presence

    now = timezone.now()
    # Rows of sockets whose process died (kill -9, a crash) are never left: they go once they are stale.
    Presence.objects.filter(seen_at__lt=now - timedelta(seconds=selectors.PRESENCE_TIMEOUT_SECONDS)).delete()
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "session_id": session_id,
            "facilitator": facilitator,
            "seen_at": now,
            "participant_id": participant_id,
            "user_id": user_id,
        },
    )


def presence_touch(*, channel_name):
    """Mark a socket as still there (called on the client's keep-alive)."""
    from deliberation.models import Presence

    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_leave(*, channel_name):
    """Forget a closed socket."""
    from deliberation.models import Presence

    Presence.objects.filter(channel_name=channel_name).delete()
