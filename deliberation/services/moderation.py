"""Facilitators' moderation: hiding and restoring, merging duplicates and undoing it, retitling; participants' flags."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from deliberation import rules, selectors, text
from deliberation.errors import ServiceError
from deliberation.models import HIDE_REASONS, Comment, Event, Flag, LiveSession, Proposal, Round
from deliberation.services._base import (
    CONTRIBUTIONS_PER_MINUTE,
    clean,
    comment_in,
    locked,
    log,
    proposal_in,
    throttle,
    undo_reason,
    within_reason_max,
)


def _public_reason(reason):
    """A hiding reason: a preset typed or picked in any language is stored as its code."""
    reason = text.clean_text(reason or "").strip()
    if not reason:
        raise ServiceError("invalid", _("Give the public reason for hiding it."))
    for code, label in HIDE_REASONS.items():
        if reason == code:
            return code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if reason.casefold() == str(label).casefold():
                    return code
    return reason


def _set_visibility(actor, session, item, kind, *, hide, reason=""):
    """Hide a proposal or comment behind a public reason, or restore it; logged as `<kind>.hidden/restored`."""
    if not hide and not item.hidden:
        raise ServiceError("wrong_state")
    item.hidden, item.hidden_reason = hide, within_reason_max(_public_reason(reason)) if hide else ""
    item.save(update_fields=["hidden", "hidden_reason"])
    if hide:
        Flag.objects.filter(**{kind: item}).update(resolved=True)  # dealt with
    public = selectors.proposal_public if kind == "proposal" else selectors.comment_public
    log(session, f"{kind}.{'hidden' if hide else 'restored'}", {kind: public(item)}, actor)
    return item


@locked(rules.MODERATE)
def proposal_hide(*, actor: rules.Actor, session: LiveSession, proposal_id: int, reason: str) -> Proposal:
    """Hide a proposal, leaving a public stub with the reason."""
    return _set_visibility(actor, session, proposal_in(session, proposal_id), "proposal", hide=True, reason=reason)


@locked(rules.MODERATE)
def proposal_restore(*, actor: rules.Actor, session: LiveSession, proposal_id: int) -> Proposal:
    """Show a hidden proposal again."""
    return _set_visibility(actor, session, proposal_in(session, proposal_id), "proposal", hide=False)


@locked(rules.MODERATE)
def proposal_merge(*, actor: rules.Actor, session: LiveSession, proposal_id: int, into_id: int) -> Proposal:
    """Merge a duplicate into the proposal kept: it points there and its comments move with it."""
    duplicate = proposal_in(session, proposal_id, usable=True)
    kept = proposal_in(session, into_id, usable=True)
    if duplicate.pk == kept.pk:
        raise ServiceError("invalid", _("A proposal cannot be merged into itself."))
    duplicate.merged_into = kept
    duplicate.save(update_fields=["merged_into"])
    # Remember where each comment was written (an earlier merge's mark stays), so the merge can be undone.
    Comment.objects.filter(proposal=duplicate, moved_from__isnull=True).update(moved_from=duplicate)
    moving = sorted(Comment.objects.filter(proposal=duplicate).values_list("pk", flat=True))
    moved = Comment.objects.filter(pk__in=moving).update(proposal=kept)
    for round_ in Round.objects.filter(session=session, state=Round.State.DRAFT, ballot_proposals=duplicate):
        round_.ballot_proposals.remove(duplicate)
        round_.ballot_proposals.add(kept)
    payload = {
        "proposal": selectors.proposal_public(duplicate),
        "into": selectors.proposal_public(kept),
        "comments_moved": moved,
        "comments": moving,
    }
    log(session, "proposal.merged", payload, actor)
    return kept


@locked(rules.MODERATE)
def proposal_unmerge(*, actor: rules.Actor, session: LiveSession, proposal_id: int, reason: str) -> Proposal:
    """Undo a merge: the duplicate stands on its own again and the comments written on it move back."""
    duplicate = proposal_in(session, proposal_id)
    reason = undo_reason(reason, _("Give the reason for undoing the merge."))
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
    log(session, "proposal.unmerged", payload, actor)
    return duplicate


@locked(rules.MODERATE)
def proposal_edit_title(*, actor: rules.Actor, session: LiveSession, proposal_id: int, title: str) -> Proposal:
    """Reword a proposal's title for clarity; the original is kept and shown as edited."""
    proposal = proposal_in(session, proposal_id)
    if not proposal.original_title:
        proposal.original_title = proposal.title
    proposal.title = (title or "").strip()
    clean(proposal, exclude=["round", "author", "merged_into"])
    proposal.save(update_fields=["title", "original_title"])
    log(session, "proposal.edited", {"proposal": selectors.proposal_public(proposal)}, actor)
    return proposal


@locked(rules.MODERATE)
def comment_hide(*, actor: rules.Actor, session: LiveSession, comment_id: int, reason: str) -> Comment:
    """Hide a comment, leaving a public stub with the reason."""
    return _set_visibility(actor, session, comment_in(session, comment_id), "comment", hide=True, reason=reason)


@locked(rules.MODERATE)
def comment_restore(*, actor: rules.Actor, session: LiveSession, comment_id: int) -> Comment:
    """Show a hidden comment again."""
    return _set_visibility(actor, session, comment_in(session, comment_id), "comment", hide=False)


# --- flags ----------------------------------------------------------------------------------


@locked(rules.FLAG_CONTRIBUTION, refuse_ended=True)
def flag_submit(
    *,
    actor: rules.Actor,
    session: LiveSession,
    proposal_id: int | None = None,
    comment_id: int | None = None,
    reason: str = "",
) -> Flag:
    """Ask the facilitators to look at a proposal or comment (once per participant and item)."""
    if (proposal_id is None) == (comment_id is None):
        raise ServiceError("invalid", _("Flag one proposal or one comment."))
    target = (
        {"proposal": proposal_in(session, proposal_id)}
        if proposal_id is not None
        else {"comment": comment_in(session, comment_id)}
    )
    flag, created = Flag.objects.get_or_create(
        session=session, participant=actor.participant, **target, defaults={"reason": text.clean_text(reason or "").strip()[:200]}
    )
    if created:
        throttle(actor.participant, ["flag.submitted"], CONTRIBUTIONS_PER_MINUTE)
        log(session, "flag.submitted", {"flag": selectors.flag_summary(flag)}, actor, audience=Event.Audience.FACILITATORS)
    return flag


@locked(rules.MODERATE)
def flag_resolve(*, actor: rules.Actor, session: LiveSession, flag_id: int) -> None:
    """Mark a flag as dealt with."""
    updated = Flag.objects.filter(pk=flag_id, session=session, resolved=False).update(resolved=True)
    if not updated:
        raise ServiceError("not_found")
    log(session, "flag.resolved", {"flag": flag_id}, actor, audience=Event.Audience.FACILITATORS)
