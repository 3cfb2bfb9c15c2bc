"""Counting a vote round: its ballots as the tally engine reads them, and a count that never raises."""

import logging
from collections import Counter

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Methods that elect exactly one proposal, with the name used in messages.
SINGLE_WINNER = {"irv": _("Instant runoff"), "schulze": _("Schulze"), "borda": _("Borda count")}


def seats_problem(method, seats, on_ballot=None):
    """Why this method cannot elect this many winners from `on_ballot` proposals, or "" when it can."""
    if method in SINGLE_WINNER and seats != 1:
        return _("%(method)s elects one winner: set the number of winners to 1, or choose single transferable vote.") % {
            "method": SINGLE_WINNER[method]
        }
    if seats is None or seats < 1:
        return _("A vote needs at least one winner.")
    if on_ballot and seats >= on_ballot:
        return _("There must be more proposals on the ballot than winners.")
    return ""


def candidate_names(proposals):
    """Distinct, BLT-safe candidate names for proposals (titles can repeat or contain quotes)."""
    names, seen = [], set()
    for proposal in proposals:
        base = " ".join(proposal.title.replace('"', "\u201d").split()) or f"#{proposal.pk}"
        name, n = base, 2
        while name in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name)
        names.append(name)
    return names


def blt_title(round_):
    """The round's title, safe for a BLT file."""
    return " ".join(round_.title.replace('"', "\u201d").split())


def valid_ballots(round_):
    """The round's ballots that count: voided paper slips never do, nor double entry's checking copy (pass 2)."""
    return round_.ballots.filter(voided_at__isnull=True, entry_pass=1)


def round_ballots(round_):
    """A vote round's candidates and its valid ballots aggregated as (weight, 0-based ranking), sorted."""
    candidates = list(round_.ballot_proposals.order_by("pk"))
    index = {p.pk: i for i, p in enumerate(candidates)}
    tally = Counter()
    for ranking in valid_ballots(round_).values_list("ranking", flat=True):
        tally[tuple(index[p] for p in ranking if p in index)] += 1
    return candidates, [(weight, ranking) for ranking, weight in sorted(tally.items())]


def _not_counted(round_, names, method, seats, ballots, outcome, problem, detail):
    """The result of a count that elected nobody: no stages, no winners, the reason kept."""
    return {
        "method": method,
        "title": blt_title(round_),
        "candidates": names,
        "withdrawn": [],
        "seats": seats,
        "ballots": ballots,
        "quota": None,
        "seed": None,
        "winners": [],
        "stages": [],
        "ties": [],
        "outcome": outcome,
        "problem": problem,
        "detail": detail,
    }


def count_round(round_, method=None, seats=None):
    """Count a vote round's valid ballots (with another method or seats for a recount); never raises."""
    from deliberation.tally import count

    method, seats = method or round_.method, seats or round_.seats
    candidates, ballots = round_ballots(round_)
    names = candidate_names(candidates)
    counted = sum(weight for weight, ranking in ballots if ranking)
    total = sum(weight for weight, _ranking in ballots)
    if counted == 0:
        result = _not_counted(round_, names, method, seats, total, "no_result", "no_ballots", "no valid ballots")
    elif counted < seats:
        detail = f"{counted} valid ballots for {seats} winners"
        result = _not_counted(round_, names, method, seats, total, "no_result", "too_few_ballots", detail)
    else:
        try:
            result = count(method, names, ballots, seats=seats, title=blt_title(round_)).to_dict()
            result |= {"outcome": "elected", "problem": "", "detail": ""}
        except Exception as exc:  # noqa: BLE001 - a count problem must never leave a round stuck
            if not isinstance(exc, ValueError):  # TallyError is a ValueError; anything else is a bug to look at
                logger.exception("count failed for round %s", round_.pk)
            detail = f"{type(exc).__name__}: {exc}"[:300]
            result = _not_counted(round_, names, method, seats, total, "count_failed", "engine_error", detail)
    result["ballots_counted"] = counted
    result["proposal_ids"] = [p.pk for p in candidates]
    result["paper_ballots"] = valid_ballots(round_).filter(is_paper=True).count()
    from deliberation.selectors import reconciliation  # selectors reads counting: import here

    result["eligibility"] = reconciliation(round_)  # frozen with the count, exported with it
    return result
