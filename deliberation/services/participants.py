"""Joining a session and who may take part: cards, the sign-in list, admission, names, the eligibility mode."""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import rules, selectors, throttle
from deliberation.errors import ServiceError
from deliberation.models import Event, LiveSession, Participant, VotingCard, normalise_code
from deliberation.services._base import clean, lock, locked, log, require, require_not_ended

CARDS_PER_CALL = 1000


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


def _holds_card(participant):
    """Whether the participant already holds a voting card."""
    return VotingCard.objects.filter(participant=participant).exists()


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
    *,
    session: LiveSession,
    user=None,
    participant_id: int | None = None,
    display_name: str = "",
    card_code: str = "",
    device: str = "",
    address: str = "",
    device_key: str = "",
) -> Participant:
    """Join a session (or come back to it) under its eligibility mode: reuse the browser's or the user's participant.

    `card_code` (cards mode) admits as a voter; `device` is throttle.device_hash(...); `address` (client address)
    and `device_key` (the Django session key) feed the card-guess, join-flood and admission throttles.
    An ended session takes no one.
    """
    session = lock(session.pk)
    if session.status == LiveSession.Status.ENDED:
        raise ServiceError("session_ended", _("This session has ended. Thank you to everyone who took part."))
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
            log(
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
    clean(participant, exclude=["session", "user"])
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
        log(session, "participant.admission_requested", summary, actor, audience=Event.Audience.FACILITATORS)
    else:
        log(session, "participant.joined", summary, actor, audience=Event.Audience.FACILITATORS)
    return participant


@transaction.atomic
def participant_use_card(*, actor: rules.Actor, session: LiveSession, card_code: str, address: str = "") -> Participant:
    """A joined participant without a card adds one (cards mode) and becomes a voter."""
    session = lock(session.pk)
    if actor.participant is None or not rules.is_session_participant(actor, session):
        raise ServiceError("not_joined")
    require_not_ended(session)
    if session.eligibility != LiveSession.Eligibility.CARDS:
        raise ServiceError("invalid", _("This session does not use voting cards."))
    participant = Participant.objects.get(pk=actor.participant.pk)
    if _holds_card(participant):
        raise ServiceError("card_held")
    # Over a socket there is no address: the participant's device hash (or the participant) is the scope.
    scope = address or (f"device:{participant.device}" if participant.device else f"participant:{participant.pk}")
    _bind_card(_find_card(session, card_code, scope), participant)
    log(session, "participant.card_used", {"participant": participant.pk}, actor, audience=Event.Audience.FACILITATORS)
    return participant


def _set_admission(actor, session, participant_id, admission, event_type):
    """Admit or refuse a participant; their sockets learn it from an event that carries only the id."""
    try:
        participant = Participant.objects.get(pk=participant_id, session=session)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    if participant.admission == admission:
        raise ServiceError("wrong_state")
    participant.admission = admission
    participant.save(update_fields=["admission"])
    log(session, event_type, {"participant": participant.pk}, actor)
    return participant


@locked(rules.MANAGE_ELIGIBILITY)
def participant_admit(*, actor: rules.Actor, session: LiveSession, participant_id: int) -> Participant:
    """Admit a participant waiting (or refused before): they may now take part."""
    return _set_admission(actor, session, participant_id, Participant.Admission.ADMITTED, "participant.admitted")


@locked(rules.MANAGE_ELIGIBILITY)
def participant_refuse(*, actor: rules.Actor, session: LiveSession, participant_id: int) -> Participant:
    """Refuse a participant: they can no longer watch or take part."""
    return _set_admission(actor, session, participant_id, Participant.Admission.REFUSED, "participant.refused")


@locked(rules.RENAME_SELF, refuse_ended=True)
def participant_rename(*, actor: rules.Actor, session: LiveSession, name: str) -> Participant:
    """Change the acting participant's display name (blank means anonymous)."""
    participant = Participant.objects.get(pk=actor.participant.pk)
    participant.display_name = name.strip()
    clean(participant, exclude=["session", "user"])
    participant.save(update_fields=["display_name"])
    log(
        session,
        "participant.renamed",
        {"participant": selectors.participant_summary(participant)},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return participant


# --- eligibility ------------------------------------------------------------------------------


@locked(rules.MANAGE_ELIGIBILITY, refuse_ended=True)
def session_set_eligibility(
    *,
    actor: rules.Actor,
    session: LiveSession,
    mode: str,
    uncarded_may_contribute: bool | None = None,
    double_entry: bool | None = None,
) -> LiveSession:
    """Choose who may vote (and the options); refused once a vote has opened with this session's rules in force."""
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
    log(session, "session.eligibility_set", selectors.eligibility_summary(session), actor)
    return session


@locked(rules.MANAGE_ELIGIBILITY, refuse_ended=True)
def cards_generate(*, actor: rules.Actor, session: LiveSession, count: int) -> list[VotingCard]:
    """Make `count` (1..1000) new single-use voting cards, numbered on from the last; logged without their codes."""
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= CARDS_PER_CALL:
        raise ServiceError("invalid", _("Make between 1 and %(n)s cards at a time.") % {"n": CARDS_PER_CALL})
    last = session.cards.order_by("-number").values_list("number", flat=True).first() or 0
    VotingCard.objects.bulk_create([VotingCard(session=session, number=last + i) for i in range(1, count + 1)])
    log(
        session,
        "cards.generated",
        {"count": count, "first": last + 1, "last": last + count},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return list(session.cards.filter(number__gt=last).order_by("number"))


# --- the sign-in list -------------------------------------------------------------------------


def _user_by_username(username):
    """The user with that username (case as typed or not), or `not_found`."""
    User = get_user_model()
    user = User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": (username or "").strip()}).first()
    if user is None:
        raise ServiceError("not_found", _("No one has that username."))
    return user


def _change_list(actor, session, username, add):
    """Add someone to the sign-in list or take them off; logged for facilitators."""
    user = _user_by_username(username)
    (session.voters.add if add else session.voters.remove)(user)
    event_type = "voter.added" if add else "voter.removed"
    log(session, event_type, {"usernames": [user.get_username()]}, actor, audience=Event.Audience.FACILITATORS)
    return user


@locked(rules.MANAGE_ELIGIBILITY)
def voter_add(*, actor: rules.Actor, session: LiveSession, username: str):
    """Put a signed-in user on the session's sign-in list."""
    return _change_list(actor, session, username, add=True)


@locked(rules.MANAGE_ELIGIBILITY)
def voter_remove(*, actor: rules.Actor, session: LiveSession, username: str):
    """Take a user off the session's sign-in list."""
    return _change_list(actor, session, username, add=False)


@locked(rules.MANAGE_ELIGIBILITY)
def voters_set(*, actor: rules.Actor, session: LiveSession, usernames: list[str]) -> list:
    """Make the sign-in list exactly these usernames."""
    users = [_user_by_username(name) for name in usernames if name.strip()]
    session.voters.set(users)
    log(
        session,
        "voter.list_set",
        {"usernames": sorted(u.get_username() for u in users)},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return users


@transaction.atomic
def participant_new_return_link(*, actor: rules.Actor, session: LiveSession) -> Participant:
    """Replace the acting walk-in's return link ("keep my place"): the old link stops working at once.

    Not logged: the link is a private key to a place, not part of the deliberation's record.
    """
    session = lock(session.pk)
    mine = actor.participant.pk if actor.participant is not None else None
    participant = Participant.objects.select_for_update().filter(pk=mine, session=session).first() if mine else None
    if participant is None:
        raise ServiceError("not_joined")
    require(actor, rules.KEEP_PLACE, participant)
    require_not_ended(session)
    participant.token = uuid.uuid4()
    participant.save(update_fields=["token"])
    return participant
