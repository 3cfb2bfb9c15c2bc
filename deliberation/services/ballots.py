"""Ballots: cast online, typed in from paper slips (once or twice), voided when typed in error."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import counting, rules, selectors
from deliberation.errors import ServiceError
from deliberation.models import Ballot, Event, LiveSession, Round, VotingCard, normalise_code
from deliberation.services._base import locked, log, log_counted, require_not_ended, require_open, round_in, throttle, undo_reason

# Per-participant limit, shared by every process (it counts the event log, not memory).
BALLOTS_PER_MINUTE = 20


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


def _card_voted(round_, card):
    """Whether a counted (pass 1, not voided) ballot of this round was cast with this card, online or on paper."""
    return Ballot.objects.filter(round=round_, card=card, entry_pass=1, voided_at__isnull=True).exists()


@locked(rules.CAST_BALLOT)
def ballot_cast(*, actor: rules.Actor, session: LiveSession, round_id: int, ranking: list[int], ref: str = "") -> Ballot:
    """Cast or change the acting participant's ballot; the last one before closing counts."""
    round_ = round_in(session, round_id, kind=Round.Kind.VOTE)
    if ref:
        # A resent ballot whose ack was lost is acknowledged even after the close: it counted.
        sent = Ballot.objects.filter(round=round_, participant=actor.participant, client_ref=ref).first()
        if sent is not None and sent.ranking == ranking:
            return sent
    require_not_ended(session)
    require_open(round_)
    ranking = _valid_ranking(round_, ranking)
    ballot = Ballot.objects.filter(round=round_, participant=actor.participant).first()
    if ballot is not None and ballot.ranking == ranking:
        return ballot  # a retry or an unchanged ballot: nothing to record
    throttle(actor.participant, ["ballot.cast"], BALLOTS_PER_MINUTE)
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
    log(
        session,
        "ballot.cast",
        {"round": round_.pk, "ballots": counting.valid_ballots(round_).count()},
        actor,
        audience=Event.Audience.FACILITATORS,
    )
    return ballot


@locked(rules.ENTER_PAPER_BALLOT)
def ballot_enter_paper(
    *,
    actor: rules.Actor,
    session: LiveSession,
    round_id: int,
    ranking: list[int],
    ref: str = "",
    card_code: str = "",
    entry_pass: int = 1,
) -> Ballot:
    """Enter a paper slip from the room (numbered per round and pass), optionally tied to the voting card on it.

    With double entry, pass 2 is a second person's typing of the same pile: never counted, compared slip by slip.
    """
    round_ = round_in(session, round_id, kind=Round.Kind.VOTE)
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
    log(session, "ballot.paper_entered", payload, actor, audience=Event.Audience.FACILITATORS)
    return ballot


@locked(rules.ENTER_PAPER_BALLOT)
def ballot_void_paper(*, actor: rules.Actor, session: LiveSession, ballot_id: int, reason: str) -> Ballot:
    """Void a paper slip typed in error: kept with the reason, left out of the count (re-counted if closed)."""
    try:
        ballot = Ballot.objects.select_related("round").get(pk=ballot_id, round__session=session)
    except (Ballot.DoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError("not_found") from exc
    reason = undo_reason(reason, _("Give the reason for voiding this slip."))
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
    log(session, "ballot.paper_voided", payload, actor, audience=Event.Audience.FACILITATORS)
    if round_.state == Round.State.CLOSED:  # the kept result must not count the voided slip
        round_.result = counting.count_round(round_)
        round_.save(update_fields=["result"])
        log_counted(session, round_, actor)
    return ballot
