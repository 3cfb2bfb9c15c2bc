"""Published artefacts: anonymised ballots (BLT, CSV), the count report and charts, QR codes, the audit log."""

import io
import secrets
from decimal import Decimal

import segno
from django.utils.translation import gettext as _

from deliberation import counting

METHOD_COMMANDS = {"irv": "irv", "stv": "stv", "schulze": "schulze", "borda": "borda"}


def qr_svg(url):
    """The URL as an accessible SVG QR code (title for screen readers, no fixed size)."""
    buffer = io.BytesIO()  # segno writes SVG as bytes
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=_("QR code to join the session"),
        svgclass="qr", lineclass=None, omitsize=True,
    )  # fmt: skip
    return buffer.getvalue().decode("utf-8")


def ballots_blt(round_):
    """The round's ballots as BLT: aggregated by ranking, so no order or identity is left."""
    from deliberation.tally.blt import write_blt

    candidates, ballots = counting.round_ballots(round_)
    return write_blt(tuple(counting.candidate_names(candidates)), ballots, round_.seats, counting.blt_title(round_), ())


def ballots_csv(round_, writer):
    """One row a ballot, in a random order, with no participant, receipt or time."""
    candidates, ballots = counting.round_ballots(round_)
    names = counting.candidate_names(candidates)
    rows = [[names[i] for i in ranking] for weight, ranking in ballots for _n in range(weight)]
    secrets.SystemRandom().shuffle(rows)
    width = max((len(r) for r in rows), default=0)
    writer.writerow([_("Preference %(n)s") % {"n": n} for n in range(1, width + 1)])
    writer.writerows(rows)


def recount_command(round_):
    """The exact command that re-counts the downloaded BLT."""
    code = round_.session.code
    seats = f" --seats {round_.seats}" if round_.method == "stv" else ""
    method = METHOD_COMMANDS.get(round_.method, round_.method)
    # The published seed makes any lot-decided tie come out the same in the re-count.
    seed = (round_.result or {}).get("seed")
    seed = f" --seed {seed}" if seed else ""
    return f"python -m deliberation.tally cyd-{code}-round-{round_.pk}.blt --method {method}{seats}{seed}"


def normalise_receipt(text):
    """A receipt code as printed (ABCD-EFGH-JKMN), whatever the case, spaces or hyphens it was typed with."""
    code = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if len(code) == 12 else code


def receipt_counted(round_, receipt):
    """True if a receipt code, typed in any case, with spaces or without hyphens, was counted in this round."""
    code = normalise_receipt(receipt)
    return bool(code) and counting.valid_ballots(round_).filter(receipt=code).exists()


def no_result(result, short=False):
    """Why a count chose nobody, in words ("" when it chose someone): a sentence, or a short line for lists."""
    result = result or {}
    outcome = result.get("outcome") or ("elected" if result.get("winners") else "no_result")
    if outcome == "elected":
        return ""
    problem = result.get("problem") if outcome == "no_result" else "count_failed"
    if short:
        return {
            "no_ballots": _("No result: no ballots were cast."),
            "too_few_ballots": _("No result: fewer valid ballots than places to fill."),
        }.get(problem, _("No result: the count could not be completed."))
    return {
        "no_ballots": _("No ballots were cast, so no proposal was chosen."),
        "too_few_ballots": _("There were fewer valid ballots than places to fill, so no proposal was chosen."),
    }.get(problem, _("The count could not be completed, so no proposal was chosen."))


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


def describe_stage(stage):
    """What happened at a stage, in words."""
    lines = []
    for name in stage.get("elected", []):
        lines.append(_("%(name)s is elected.") % {"name": name})
    for name in stage.get("excluded", []):
        lines.append(_("%(name)s has the fewest votes and is excluded.") % {"name": name})
    for tie in stage.get("ties", []):
        rule = {
            "earlier-stages": _("by the votes at earlier stages"),
            "lot": _("by a recorded lot"),
            "candidate-order": _("by the order on the ballot"),
        }.get(tie.get("rule"), tie.get("rule", ""))
        lines.append(
            _("Tie between %(names)s, broken %(rule)s: %(chosen)s.")
            % {"names": ", ".join(tie.get("candidates", [])), "rule": rule, "chosen": tie.get("chosen")}
        )
    return lines


def result_report(round_):
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
    matrix = [
        {"name": a, "cells": [None if a == b else pairwise.get(a, {}).get(b) for b in names]} for a in names
    ] if pairwise else None  # fmt: skip
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
    }


def audit_rows(events):
    """The event log as rows for the audit page and its CSV/JSON exports."""
    rows = []
    for event in events:
        if event.actor_user_id:
            actor = _("facilitator %(name)s") % {"name": event.actor_user.get_username()}
        elif event.actor_participant_id:
            actor = _("participant #%(id)s") % {"id": event.actor_participant_id}
        else:
            actor = _("system")
        rows.append({
            "seq": event.seq, "time": event.created_at.isoformat(), "type": event.type, "actor": actor,
            "audience": event.audience, "payload": event.payload,
        })  # fmt: skip
    return rows
