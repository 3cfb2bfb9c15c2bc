"""Template helpers of the Wagtail pages: a board's commitments, and whether a translation is out of date."""

from dataclasses import dataclass, field

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from home.models import Commitment, CommitmentStatus, ConsultationPage, chosen_in_published_votes, translation_drift

register = template.Library()


@dataclass
class PartnerCommitments:
    """One partner's commitments on a board page, with how many there are of each status."""

    name: str
    link: str = ""
    commitments: list = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        """How many commitments have each status, in the order of `CommitmentStatus`."""
        return [sum(1 for c in self.commitments if c.status == value) for value in CommitmentStatus.values]


@register.simple_tag
def page_commitments(page):
    """A consultation's commitments, each with the published vote round (if any) that chose the proposal it answers."""
    commitments = list(page.commitments.select_related("partner", "proposal").prefetch_related("updates"))
    rounds = chosen_in_published_votes(page) if any(c.proposal_id for c in commitments) else {}
    return [{"commitment": c, "round": rounds.get(c.proposal_id)} for c in commitments]


@register.simple_tag
def commitment_statuses():
    """The statuses, as (value, words), in order: the board page's table columns."""
    return CommitmentStatus.choices


@register.simple_tag
def status_summary(commitments) -> str:
    """How many commitments there are and how many of each status, in words: "3 commitments: 1 done, 2 planned."."""
    statuses = [item["commitment"].status if isinstance(item, dict) else item.status for item in commitments]
    parts = [f"{statuses.count(value)} {str(label).lower()}" for value, label in CommitmentStatus.choices if value in statuses]
    head = ngettext("%(count)s commitment", "%(count)s commitments", len(statuses)) % {"count": len(statuses)}
    return _("%(head)s: %(parts)s.") % {"head": head, "parts": ", ".join(parts)} if parts else head


@register.simple_tag
def board_commitments(board) -> list[PartnerCommitments]:
    """A board's commitments on its live, public consultations, grouped by responsible partner in the board's
    order of partners; commitments without a partner last, as the whole board's."""
    consultations = ConsultationPage.objects.child_of(board).live().public()
    commitments = (
        Commitment.objects.filter(page__in=consultations)
        .select_related("partner", "page")
        .order_by("page__title", "sort_order", "pk")
    )
    groups = {partner.pk: PartnerCommitments(partner.name, partner.link) for partner in board.partners.all()}
    whole_board = PartnerCommitments(_("The board as a whole"))
    for commitment in commitments:
        groups.get(commitment.partner_id, whole_board).commitments.append(commitment)
    return [group for group in [*groups.values(), whole_board] if group.commitments]


@register.simple_tag
def translation_source_if_newer(page):
    """The live source-language page when it was published after this translation, else None."""
    return translation_drift(page)
