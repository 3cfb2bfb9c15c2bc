"""Counting a vote round: its ballots as the tally engine reads them, and a count that never raises."""

from collections import Counter


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
    """The round's ballots that count: voided paper slips never do."""
    return round_.ballots.filter(voided_at__isnull=True)


def round_ballots(round_):
    """A vote round's candidates and its valid ballots aggregated as (weight, 0-based ranking), sorted."""
    candidates = list(round_.ballot_proposals.order_by("pk"))
    index = {p.pk: i for i, p in enumerate(candidates)}
    tally = Counter()
    for ranking in valid_ballots(round_).values_list("ranking", flat=True):
        tally[tuple(index[p] for p in ranking if p in index)] += 1
    return candidates, [(weight, ranking) for ranking, weight in sorted(tally.items())]


def count_round(round_):
    """Count a vote round's ballots with the tally engine; return the JSON-ready result."""
    from deliberation.tally import count

    candidates, ballots = round_ballots(round_)
    names = candidate_names(candidates)
    result = count(round_.method, names, ballots, seats=round_.seats, title=blt_title(round_)).to_dict()
    result["proposal_ids"] = [p.pk for p in candidates]
    result["paper_ballots"] = valid_ballots(round_).filter(is_paper=True).count()
    return result
