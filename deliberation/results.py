"""The results page's report: a published count's stages in words and charts, how each method counts,
why a count chose nobody, and how far the result can be trusted (the eligibility figures in words)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from deliberation.models import Round
from deliberation.selectors import reconciliation

# How each counting method works, in one sentence for the results page.
METHOD_EXPLANATIONS = {
    "irv": gettext_lazy(
        "How the count works: every ballot counts for its highest-ranked proposal still in the count. If no proposal "
        "has more than half of the votes, the one with the fewest is excluded and its ballots move to their next "
        "choice. This repeats until one proposal has a majority."
    ),
    "stv": gettext_lazy(
        "How the count works: a proposal that reaches the quota is elected and the votes it does not need move on to "
        "the next choices; when none reaches it, the proposal with the fewest votes is excluded and its ballots move "
        "on. This repeats until every place is filled."
    ),
    "schulze": gettext_lazy(
        "How the count works: every pair of proposals is compared head to head, and the proposal that beats every "
        "other one, directly or through a chain of wins, comes first."
    ),
    "borda": gettext_lazy(
        "How the count works: each ballot gives points by position (more for a higher choice) and the points are added up."
    ),
}

# How a tie was broken, by the rule the count recorded.
TIE_RULES = {
    "earlier-stages": gettext_lazy("by the votes at earlier stages"),
    "lot": gettext_lazy("by a recorded lot"),
    "candidate-order": gettext_lazy("by the order on the ballot"),
}

# Why a count chose nobody, by its problem (any other: the count failed): (a sentence for the page, a short line for lists).
NO_RESULT = {
    "no_ballots": (
        gettext_lazy("No ballots were cast, so no proposal was chosen."),
        gettext_lazy("No result: no ballots were cast."),
    ),
    "too_few_ballots": (
        gettext_lazy("There were fewer valid ballots than places to fill, so no proposal was chosen."),
        gettext_lazy("No result: fewer valid ballots than places to fill."),
    ),
    "count_failed": (
        gettext_lazy("The count could not be completed, so no proposal was chosen."),
        gettext_lazy("No result: the count could not be completed."),
    ),
}

# The eligibility modes' short names for labels (any other mode is an open vote).
MODE_NAMES = {
    "cards": gettext_lazy("Voting cards"),
    "signin": gettext_lazy("Sign-in list"),
    "admission": gettext_lazy("Admission by the facilitator"),
}


def no_result(result: dict | None, short: bool = False) -> str:
    """Why a count chose nobody, in words ("" when it chose someone): a sentence, or a short line for lists."""
    result = result or {}
    outcome = result.get("outcome") or ("elected" if result.get("winners") else "no_result")
    if outcome == "elected":
        return ""
    problem = result.get("problem") if outcome == "no_result" else "count_failed"
    sentence, line = NO_RESULT.get(problem, NO_RESULT["count_failed"])
    return str(line if short else sentence)


def _number(value):
    """A result number (int or fixed-point string) as a Decimal."""
    return Decimal(str(value)) if value is not None else Decimal(0)


def _bars(votes, quota, elected, excluded):
    """Geometry for one stage's chart, widths as percentages; `elected`/`excluded` include earlier stages."""
    values = {name: _number(v) for name, v in votes.items()}
    top = max([*values.values(), _number(quota)], default=Decimal(1)) or Decimal(1)
    bars = []
    for row, (name, value) in enumerate(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))):
        status = "elected" if name in elected else "excluded" if name in excluded else ""
        bars.append({"name": name, "value": value, "width": float(value / top * 100), "y": row * 36, "status": status})
    quota_x = float(_number(quota) / top * 100) if quota is not None else None
    return {"bars": bars, "height": max(len(bars) * 36, 36), "quota_x": quota_x}


def describe_stage(stage: dict) -> list[str]:
    """What happened at a stage, in words."""
    lines = []
    for name in stage.get("elected", []):
        lines.append(_("%(name)s is elected.") % {"name": name})
    for name in stage.get("excluded", []):
        lines.append(_("%(name)s has the fewest votes and is excluded.") % {"name": name})
    for tie in stage.get("ties", []):
        rule = TIE_RULES.get(tie.get("rule"), tie.get("rule", ""))
        lines.append(
            _("Tie between %(names)s, broken %(rule)s: %(chosen)s.")
            % {"names": ", ".join(tie.get("candidates", [])), "rule": rule, "chosen": tie.get("chosen")}
        )
    return lines


def result_report(round_: Round) -> dict:
    """A published result arranged for the results page: stages with charts and words."""
    result = round_.result or {}
    stages = []
    elected, excluded = [], []  # so far: a proposal elected (or excluded) at an earlier stage stays so
    for stage in result.get("stages", []):
        quota = stage.get("quota", result.get("quota"))
        elected += stage.get("elected", [])
        excluded += stage.get("excluded", [])
        stages.append(
            stage
            | {
                "chart": _bars(stage.get("votes", {}), quota, elected, excluded),
                "words": describe_stage(stage),
                "quota_value": quota,
            }
        )
    scores = result.get("scores")
    score_chart = _bars(scores, None, result.get("winners", []), []) if scores else None
    pairwise = result.get("pairwise")
    names = [c for c in result.get("candidates", []) if c not in result.get("withdrawn", [])]
    matrix = (
        [{"name": a, "cells": [None if a == b else pairwise.get(a, {}).get(b) for b in names]} for a in names]
        if pairwise
        else None
    )
    return {
        "result": result,
        "no_result": no_result(result),
        "ballots_counted": result.get("ballots_counted", result.get("ballots", 0)),
        "winners": result.get("winners", []),
        "stages": stages,
        "score_chart": score_chart,
        "matrix": matrix,
        "names": names,
        "ranking": result.get("ranking"),
        "ties": result.get("ties", []),
        "explanation": METHOD_EXPLANATIONS.get(round_.method, METHOD_EXPLANATIONS["borda"]),
        "trust": trust_report(round_),
    }


# --- how far a result can be trusted ----------------------------------------------------------


def eligibility_of(round_: Round) -> dict:
    """The eligibility and reconciliation figures of a counted round: as the count stored them, else as they are now."""
    figures = (round_.result or {}).get("eligibility")
    return dict(figures) if figures else reconciliation(round_)


def trust_label(round_: Round) -> str:
    """One line saying how far a published result can be trusted, e.g. "Voting cards · Ballots counted: 42 (3 on paper)"."""
    figures = eligibility_of(round_)
    mode = figures.get("mode") or round_.session.eligibility
    if mode == "open":
        return _("Open vote · not verified")
    result = round_.result or {}
    counted = figures.get("ballots_counted", result.get("ballots_counted", 0))
    paper = result.get("paper_ballots", 0)
    words = {"mode": MODE_NAMES.get(mode, _("Open vote")), "counted": counted, "paper": paper}
    if paper:
        return _("%(mode)s · Ballots counted: %(counted)s (%(paper)s on paper)") % words
    return _("%(mode)s · Ballots counted: %(counted)s") % words


def trust_report(round_: Round) -> dict:
    """The results page's "how far this result can be trusted": the mode in words and the reconciliation figures."""
    figures = eligibility_of(round_)
    session = round_.session
    mode = figures.get("mode") or session.eligibility
    number = lambda key: int(figures.get(key) or 0)  # noqa: E731
    if mode == "cards":
        words = [
            _(
                "Voting cards: only people holding one of the session's single-use cards could vote, "
                "once each, online or on paper."
            )
        ]
        rows = [
            (_("Cards issued"), number("cards_issued")),
            (_("Cards used online"), number("cards_used_online")),
            (_("Cards used on paper"), number("cards_used_on_paper")),
            (_("Cards unused"), number("cards_unused")),
        ]
    elif mode == "signin":
        listed = figures.get("voters_listed")
        listed = session.voters.count() if listed is None else int(listed)
        words = [
            ngettext(
                "Sign-in: only the %(count)s person on the session's list could vote.",
                "Sign-in: only the %(count)s people on the session's list could vote.",
                listed,
            )
            % {"count": listed}
        ]
        rows = [(_("People on the list"), listed)]
    elif mode == "admission":
        # The count keeps the admitted participants as "participants"; older results are read as they are now.
        admitted = figures.get("participants")
        admitted = session.participants.filter(admission="admitted").count() if admitted is None else int(admitted)
        words = [
            ngettext(
                "Admission: the facilitator admitted %(count)s person.",
                "Admission: the facilitator admitted %(count)s people.",
                admitted,
            )
            % {"count": admitted}
        ]
        rows = [(_("People admitted"), admitted)]
    else:
        mode = "open"
        devices = number("devices")
        words = [
            _("Open vote: not verified. Anyone with the code could take part."),
            ngettext(
                "Participants who joined: %(participants)s, from %(count)s device.",
                "Participants who joined: %(participants)s, from %(count)s devices.",
                devices,
            )
            % {"participants": number("participants"), "count": devices},
        ]
        rows = [(_("Participants who joined"), number("participants")), (_("Devices they joined from"), devices)]
    voided = list(figures.get("slips_voided") or [])
    rows += [
        (_("Online ballots"), number("online_ballots")),
        (_("Paper slips entered"), number("paper_slips")),
        (_("Paper slips voided"), len(voided)),
        (_("Ballots counted"), figures.get("ballots_counted", (round_.result or {}).get("ballots_counted", 0))),
        (_("Double entry of paper slips"), _("Used") if session.double_entry else _("Not used")),
    ]
    return {
        "mode": mode,
        "label": trust_label(round_),
        "words": words,
        "rows": rows,
        "slips_voided": voided,
        "double_entry": bool(session.double_entry),
        "differences": list(figures.get("double_entry_differences") or []),
    }
