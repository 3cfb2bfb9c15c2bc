"""What participants write: proposals in a proposal round, comments and replies in a comment round."""

from django.utils.translation import gettext as _

from deliberation import rules, selectors
from deliberation.errors import ServiceError
from deliberation.models import Comment, LiveSession, Proposal, Round
from deliberation.services._base import (
    CONTRIBUTIONS_PER_MINUTE,
    clean,
    comment_in,
    locked,
    log,
    proposal_in,
    require_not_ended,
    require_open,
    round_in,
    throttle,
)
from deliberation.text import check_language

CONTRIBUTION_EVENTS = ["proposal.submitted", "comment.submitted"]


def _sent_before(model, actor, ref):
    """What a first try with this ref made (a retry whose ack was lost), or None."""
    return model.objects.filter(author=actor.participant, client_ref=ref).first() if ref else None


def _open_round(session, round_id, kind):
    """The round written in: of this kind, open, its timer not run out, in a session not ended."""
    require_not_ended(session)
    round_ = round_in(session, round_id, kind=kind)
    require_open(round_)
    return round_


@locked(rules.SUBMIT_PROPOSAL)
def proposal_submit(
    *,
    actor: rules.Actor,
    session: LiveSession,
    round_id: int,
    title: str,
    body: str = "",
    language: str = "en",
    ref: str = "",
) -> Proposal:
    """Submit a proposal in an open proposal round, written in `language` ("en" or "cy"); a retry with the same ref
    returns the first."""
    check_language(language)
    existing = _sent_before(Proposal, actor, ref)
    if existing is not None:
        return existing
    round_ = _open_round(session, round_id, Round.Kind.PROPOSAL)
    throttle(actor.participant, CONTRIBUTION_EVENTS, CONTRIBUTIONS_PER_MINUTE)
    if round_.max_per_participant:
        if Proposal.objects.filter(round=round_, author=actor.participant).count() >= round_.max_per_participant:
            raise ServiceError("limit_reached")
    proposal = Proposal(
        round=round_,
        author=actor.participant,
        author_name=actor.participant.display_name,
        title=title.strip(),
        body=body.strip(),
        language=language,
        client_ref=ref,
    )
    clean(proposal, exclude=["round", "author"])
    proposal.save()
    log(session, "proposal.submitted", {"proposal": selectors.proposal_public(proposal)}, actor)
    return proposal


@locked(rules.SUBMIT_COMMENT)
def comment_submit(
    *,
    actor: rules.Actor,
    session: LiveSession,
    round_id: int,
    proposal_id: int,
    body: str,
    stance: str = "",
    parent_id: int | None = None,
    language: str = "en",
    ref: str = "",
) -> Comment:
    """Comment on a proposal (or reply to a top-level comment) in an open comment round, written in `language`."""
    check_language(language)
    existing = _sent_before(Comment, actor, ref)
    if existing is not None:
        return existing
    round_ = _open_round(session, round_id, Round.Kind.COMMENT)
    proposal = proposal_in(session, proposal_id, usable=True)
    parent = None
    if parent_id is not None:
        parent = comment_in(session, parent_id)
        if parent.parent_id is not None or parent.proposal_id != proposal.pk or parent.hidden:
            raise ServiceError("invalid", _("Replies go to a visible comment on the same proposal."))
    throttle(actor.participant, CONTRIBUTION_EVENTS, CONTRIBUTIONS_PER_MINUTE)
    comment = Comment(
        round=round_,
        proposal=proposal,
        parent=parent,
        author=actor.participant,
        author_name=actor.participant.display_name,
        body=(body or "").strip(),
        stance=stance or "",
        language=language,
        client_ref=ref,
    )
    clean(comment, exclude=["round", "proposal", "parent", "author"])
    comment.save()
    log(session, "comment.submitted", {"comment": selectors.comment_public(comment)}, actor)
    return comment
