"""Counting one vote round: its valid ballots and candidate names, the count (which never raises),
its anonymised ballots as BLT and CSV, the receipt check and the command that re-counts the BLT."""

import logging
import secrets
from collections import Counter
from typing import TextIO

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from deliberation.exports import csv_writer
from deliberation.models import Round, normalise_code
from deliberation.selectors import reconciliation
from deliberation.tally import count
from deliberation.tally.blt import write_blt

logger = logging.getLogger(__name__)

# Methods that elect exactly one proposal, with the name used in messages.
SINGLE_WINNER = {"irv": _("Instant runoff"), "schulze": _("Schulze"), "borda": _("Borda count")}


def seats_problem(method: str, seats: int | None, on_ballot: int | None = None) -> str:
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


def candidate_names(proposals) -> list[str]:
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


def blt_title(round_: Round) -> str:
    """The round's title, safe for a BLT file."""
    return " ".join(round_.title.replace('"', "\u201d").split())


def valid_ballots(round_: Round) -> QuerySet:
    """The round's ballots that count: voided paper slips never do, nor double entry's checking copy (pass 2)."""
    return round_.ballots.filter(voided_at__isnull=True, entry_pass=1)


def round_ballots(round_: Round) -> tuple[list, list[tuple[int, tuple[int, ...]]]]:
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


def count_round(round_: Round, method: str | None = None, seats: int | None = None) -> dict:
    """Count a vote round's valid ballots (with another method or seats for a recount); never raises."""
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
    result["eligibility"] = reconciliation(round_)  # frozen with the count, exported with it
    return result


def ballots_blt(round_: Round) -> str:
    """The round's ballots as BLT: aggregated by ranking, so no order or identity is left."""
    candidates, ballots = round_ballots(round_)
    return write_blt(tuple(candidate_names(candidates)), ballots, round_.seats, blt_title(round_), ())


def ballots_csv(round_: Round, out: TextIO) -> None:
    """One row a ballot, in a random order, with no participant, receipt or time."""
    candidates, ballots = round_ballots(round_)
    names = candidate_names(candidates)
    rows = [[names[i] for i in ranking] for weight, ranking in ballots for _n in range(weight)]
    secrets.SystemRandom().shuffle(rows)
    width = max((len(r) for r in rows), default=0)
    writer = csv_writer(out)
    writer.writerow([_("Preference %(n)s") % {"n": n} for n in range(1, width + 1)])
    writer.writerows(rows)


def receipt_counted(round_: Round, receipt: str) -> bool:
    """True if a receipt code, typed in any case, with spaces or without hyphens, was counted in this round."""
    code = normalise_code(receipt)
    return bool(code) and valid_ballots(round_).filter(receipt=code).exists()


def recount_command(round_: Round) -> str:
    """The exact command that re-counts the round's downloaded BLT with Cyd's counting engine."""
    seats = f" --seats {round_.seats}" if round_.method == "stv" else ""
    # The published seed makes any lot-decided tie come out the same in the re-count.
    seed = (round_.result or {}).get("seed")
    seed = f" --seed {seed}" if seed else ""
    return f"python -m deliberation.tally cyd-{round_.session.code}-round-{round_.pk}.blt --method {round_.method}{seats}{seed}"
