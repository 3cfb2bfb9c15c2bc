"""Published files other than a round's ballots: QR codes, the CSV writer every download uses, the audit log in words."""

import csv
import io
import json
from dataclasses import dataclass, field

import segno
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from deliberation.models import HIDE_REASONS, Comment, LiveSession, Proposal, Round
from deliberation.results import no_result


def qr_svg(url, title=None):
    """The URL as an accessible SVG QR code (title for screen readers, no fixed size)."""
    buffer = io.BytesIO()  # segno writes SVG as bytes
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=8,
        border=2,
        xmldecl=False,
        svgns=True,
        title=title or _("QR code to join the session"),
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return buffer.getvalue().decode("utf-8")


# OWASP's rule for CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV cell a spreadsheet reads as text: a leading quote before text that would start a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


class _SafeWriter:
    """csv.writer with every cell passed through safe_cell."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        """Write one row, neutralised."""
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        """Write rows, neutralised."""
        for row in rows:
            self.writerow(row)


def csv_writer(out):
    """The only way the site writes CSV: a csv.writer on `out` whose cells never start a formula."""
    return _SafeWriter(out)


# --- the audit log in words ---------------------------------------------------------------


@dataclass
class AuditContext:
    """What the audit log names items by (rounds, proposals, comments as they are now) and who reads it."""

    rounds: dict = field(default_factory=dict)  # id -> title
    proposals: dict = field(default_factory=dict)  # id -> (title, hidden now)
    comments: dict = field(default_factory=dict)  # id -> hidden now
    facilitator: bool = False  # facilitators may read hidden items; editors see the id and the public reason only

    @classmethod
    def empty(cls):
        """A context that knows no items (every item is named by its id)."""
        return cls()

    @classmethod
    def for_session(cls, session, facilitator):
        """The session's items now (three queries), for a reader who is or is not one of its facilitators."""
        return cls(
            rounds=dict(session.rounds.values_list("pk", "title")),
            proposals={
                pk: (title, hidden)
                for pk, title, hidden in Proposal.objects.filter(round__session=session).values_list("pk", "title", "hidden")
            },
            comments=dict(Comment.objects.filter(round__session=session).values_list("pk", "hidden")),
            facilitator=facilitator,
        )

    def hidden(self, kind, pk):
        """True if this reader may not read the item's text: it is hidden now and they are not a facilitator."""
        now = self.proposals.get(pk, ("", False))[1] if kind == "proposal" else self.comments.get(pk, False)
        return bool(now) and not self.facilitator

    def proposal(self, pk, title=""):
        """A proposal as "#12 “Bus to town”", or "#12" when its text may not be shown."""
        if pk is None:
            return "#?"
        title = title or self.proposals.get(pk, ("", False))[0]  # as the event recorded it, else as it is now
        return f"#{pk} “{title}”" if title and not self.hidden("proposal", pk) else f"#{pk}"

    def round(self, value):
        """A round, from an event's summary or id, as "#3 “Decide”"."""
        pk, title = (value.get("id"), value.get("title", "")) if isinstance(value, dict) else (value, "")
        title = self.rounds.get(pk, title)
        return f"#{pk if pk is not None else '?'}" + (f" “{title}”" if title else "")


def _id(item):
    """The id of an item an event carries as a dict or an id."""
    return item.get("id") if isinstance(item, dict) else item


def _method_name(method):
    """A counting method in the reader's language."""
    return str(Round.Method(method).label) if method in Round.Method.values else (method or "?")


def _counted(p, c, who):
    result = p.get("result") or {}
    values = {"who": who, "round": c.round(p.get("round")), "method": _method_name(p.get("method") or result.get("method"))}
    outcome = result.get("outcome") or ("elected" if result.get("winners") else "")
    if outcome == "elected":
        return _("%(who)s counted round %(round)s with %(method)s: chosen: %(names)s.") % (
            values | {"names": ", ".join(result.get("winners", []))}
        )
    if outcome == "count_failed":
        return _("%(who)s counted round %(round)s with %(method)s, but the count failed (%(detail)s).") % (
            values | {"detail": result.get("detail", "")}
        )
    return _("%(who)s counted round %(round)s with %(method)s: %(reason)s") % (values | {"reason": no_result(result)})


def _opened(p, c, who):
    if p.get("by") == "schedule":
        return _("Round %(round)s opened by itself at its scheduled time.") % {"round": c.round(p.get("round"))}
    return _("%(who)s opened round %(round)s.") % {"who": who, "round": c.round(p.get("round"))}


def _closed(p, c, who):
    if p.get("by") == "timer":
        return _("Round %(round)s closed by itself when its time was up.") % {"round": c.round(p.get("round"))}
    return _("%(who)s closed round %(round)s.") % {"who": who, "round": c.round(p.get("round"))}


def _joined(p, c, who):
    name = (p.get("participant") or {}).get("name")
    if name:
        return _("%(who)s joined the session as “%(name)s”.") % {"who": who, "name": name}
    return _("%(who)s joined the session anonymously.") % {"who": who}


def _renamed(p, c, who):
    name = (p.get("participant") or {}).get("name")
    if name:
        return _("%(who)s changed their name to “%(name)s”.") % {"who": who, "name": name}
    return _("%(who)s chose to take part anonymously.") % {"who": who}


def _created(p, c, who):
    kind = (p.get("round") or {}).get("kind")
    label = str(Round.Kind(kind).label) if kind in Round.Kind.values else "?"
    return _("%(who)s added round %(round)s (%(kind)s).") % {"who": who, "round": c.round(p.get("round")), "kind": label}


def _reason(text):
    """A hiding reason in the reader's language (preset codes are translated)."""
    return str(HIDE_REASONS.get(text, text or ""))


def _item(p, c, key="proposal"):
    """The proposal an event carries under `key`, named for this reader."""
    item = p.get(key) or {}
    return c.proposal(_id(item), item.get("title", "") if isinstance(item, dict) else "")


def _edited(p, c, who):
    item = p.get("proposal") or {}
    if item.get("original_title") and not c.hidden("proposal", item.get("id")):
        return _("%(who)s reworded proposal %(item)s; it was “%(original)s”.") % {
            "who": who,
            "item": _item(p, c),
            "original": item["original_title"],
        }
    return _("%(who)s reworded proposal %(item)s.") % {"who": who, "item": _item(p, c)}


def _comment(verb):
    def describe(p, c, who):
        item = p.get("comment") or {}
        values = {
            "who": who,
            "id": item.get("id", "?"),
            "item": c.proposal(item.get("proposal")),
            "reason": _reason(item.get("reason")),
        }
        if verb == "submitted":
            return _("%(who)s commented on proposal %(item)s (comment #%(id)s).") % values
        if verb == "hidden":
            return _("%(who)s hid comment #%(id)s on proposal %(item)s: %(reason)s") % values
        return _("%(who)s restored comment #%(id)s on proposal %(item)s.") % values

    return describe


def _flagged(p, c, who):
    flag = p.get("flag") or {}
    if flag.get("comment"):
        text = _("%(who)s flagged comment #%(id)s for the facilitators.") % {"who": who, "id": flag["comment"]}
    else:
        item = c.proposal(flag.get("proposal"))
        text = _("%(who)s flagged proposal %(item)s for the facilitators.") % {"who": who, "item": item}
    if not flag.get("reason"):
        return text
    return text + " " + _("Reason: %(reason)s") % {"reason": flag["reason"]}


def _paper(verb):
    def describe(p, c, who):
        values = {
            "who": who,
            "id": p.get("paper_ballot", "?"),
            "round": c.round(p.get("round")),
            "n": p.get("ballots", "?"),
            "reason": p.get("reason", ""),
        }
        if verb == "entered":
            return _("%(who)s entered paper slip #%(id)s in round %(round)s (valid ballots: %(n)s).") % values
        return _("%(who)s voided paper slip #%(id)s in round %(round)s (valid ballots: %(n)s). Reason: %(reason)s") % values

    return describe


# type -> (payload, AuditContext, who) -> one sentence in the reader's language
EVENT_WORDS = {
    "participant.joined": _joined,
    "participant.renamed": _renamed,
    "round.created": _created,
    "round.reordered": lambda p, c, who: _("%(who)s changed the order of the rounds being prepared.") % {"who": who},
    "round.updated": lambda p, c, who: (
        _("%(who)s changed the words of round %(round)s.") % {"who": who, "round": c.round(p.get("round"))}
    ),
    "round.opened": _opened,
    "round.scheduled": lambda p, c, who: (
        _("%(who)s changed the schedule of round %(round)s.") % {"who": who, "round": c.round(p.get("round"))}
    ),
    "round.closed": _closed,
    "round.auto_closed": lambda p, c, who: _closed(p | {"by": "timer"}, c, who),
    "round.counted": _counted,
    "round.recounted": _counted,
    "round.published": lambda p, c, who: (
        _("%(who)s published the results of round %(round)s.") % {"who": who, "round": c.round(p.get("round"))}
    ),
    "session.ended": lambda p, c, who: _("%(who)s ended the session.") % {"who": who},
    "session.presenter_key_rotated": lambda p, c, who: (
        _("%(who)s gave the room screen a new key; screens with the old key can no longer connect.") % {"who": who}
    ),
    "proposal.submitted": lambda p, c, who: _("%(who)s submitted proposal %(item)s.") % {"who": who, "item": _item(p, c)},
    "proposal.hidden": lambda p, c, who: (
        _("%(who)s hid proposal %(item)s: %(reason)s")
        % {"who": who, "item": _item(p, c), "reason": _reason((p.get("proposal") or {}).get("reason"))}
    ),
    "proposal.restored": lambda p, c, who: _("%(who)s restored proposal %(item)s.") % {"who": who, "item": _item(p, c)},
    "proposal.merged": lambda p, c, who: (
        _("%(who)s merged proposal %(item)s into proposal %(into)s (comments moved: %(n)s).")
        % {"who": who, "item": _item(p, c), "into": _item(p, c, "into"), "n": p.get("comments_moved", 0)}
    ),
    "proposal.unmerged": lambda p, c, who: (
        _("%(who)s undid the merge of proposal %(item)s into proposal %(into)s (comments moved back: %(n)s). Reason: %(reason)s")
        % {
            "who": who,
            "item": _item(p, c),
            "into": _item(p, c, "from"),
            "n": p.get("comments_moved", 0),
            "reason": p.get("reason", ""),
        }
    ),
    "proposal.edited": _edited,
    "comment.submitted": _comment("submitted"),
    "comment.hidden": _comment("hidden"),
    "comment.restored": _comment("restored"),
    "flag.submitted": _flagged,
    "flag.resolved": lambda p, c, who: _("%(who)s marked flag #%(id)s as dealt with.") % {"who": who, "id": p.get("flag", "?")},
    "ballot.cast": lambda p, c, who: (
        _("%(who)s cast or changed a ballot in round %(round)s (valid ballots: %(n)s).")
        % {"who": who, "round": c.round(p.get("round")), "n": p.get("ballots", "?")}
    ),
    "ballot.paper_entered": _paper("entered"),
    "ballot.paper_voided": _paper("voided"),
    # Eligibility (issue 9): the mode, cards, the sign-in list and admission.
    "session.eligibility_set": lambda p, c, who: (
        _("%(who)s set who may vote: %(mode)s.") % {"who": who, "mode": _eligibility_label(p.get("mode"))}
    ),
    "cards.generated": lambda p, c, who: (
        _("%(who)s generated %(n)s voting cards (numbers %(first)s to %(last)s).")
        % {"who": who, "n": p.get("count", "?"), "first": p.get("first", "?"), "last": p.get("last", "?")}
    ),
    "participant.card_used": lambda p, c, who: _("%(who)s joined the voters with a voting card.") % {"who": who},
    "participant.admission_requested": lambda p, c, who: _("%(who)s asked to be admitted.") % {"who": who},
    "participant.admitted": lambda p, c, who: (
        _("%(who)s admitted participant #%(id)s.") % {"who": who, "id": p.get("participant", "?")}
    ),
    "participant.refused": lambda p, c, who: (
        _("%(who)s refused participant #%(id)s.") % {"who": who, "id": p.get("participant", "?")}
    ),
    "voter.added": lambda p, c, who: (
        _("%(who)s added %(names)s to the sign-in list.") % {"who": who, "names": ", ".join(p.get("usernames") or []) or "?"}
    ),
    "voter.removed": lambda p, c, who: (
        _("%(who)s took %(names)s off the sign-in list.") % {"who": who, "names": ", ".join(p.get("usernames") or []) or "?"}
    ),
    "voter.list_set": lambda p, c, who: (
        _("%(who)s set the sign-in list (%(n)s people).") % {"who": who, "n": len(p.get("usernames") or [])}
    ),
}


def _eligibility_label(mode):
    """A session mode as its label in the reader's language (the code itself when unknown)."""
    return LiveSession.Eligibility(mode).label if mode in LiveSession.Eligibility.values else (mode or "?")


def _who(event):
    """Who did it: a facilitator by user name, a participant by number, or the system."""
    if event.actor_user_id:
        return _("facilitator %(name)s") % {"name": event.actor_user.get_username()}
    if event.actor_participant_id:
        return _("participant #%(id)s") % {"id": event.actor_participant_id}
    return _("system")


def describe_event(event, context):
    """One logged event as a sentence in the reader's language: who did what to which item, and why."""
    who = _who(event)
    describe = EVENT_WORDS.get(event.type)
    payload = event.payload if isinstance(event.payload, dict) else {}
    if describe is None:
        text = _("%(who)s: %(type)s (the details are in the CSV and JSON downloads).") % {"who": who, "type": event.type}
    else:
        text = describe(payload, context, who)
    return capfirst(text)


# Payload keys that carry a proposal's or a comment's public view (with its text).
_CARRIED = {"proposal": "proposal", "into": "proposal", "from": "proposal", "comment": "comment"}


def _payload_for(event, context):
    """The payload as this reader may see it: an item hidden now is its id, stub and public reason only."""
    payload = event.payload
    if context.facilitator or not isinstance(payload, dict):
        return payload
    for key, kind in _CARRIED.items():
        item = payload.get(key)
        if isinstance(item, dict) and context.hidden(kind, item.get("id")):
            stub = {k: item[k] for k in ("id", "round", "proposal", "hidden", "reason", "merged_into") if k in item}
            payload = payload | {key: stub | {"hidden": True}}
    return payload


def audit_rows(events, context=None):
    """The event log as rows for the audit page and its CSV/JSON exports, for a reader (see AuditContext)."""
    context = context or AuditContext.empty()
    return [
        {
            "seq": event.seq,
            "time": event.created_at.isoformat(),
            "type": event.type,
            "actor": _who(event),
            "description": describe_event(event, context),
            "audience": event.audience,
            "payload": _payload_for(event, context),
        }
        for event in events
    ]


def audit_csv(rows, out):
    """The audit rows as CSV (type code, words and the payload as JSON), safe to open in a spreadsheet."""
    writer = csv_writer(out)
    writer.writerow(["seq", "time", "type", "actor", "description", "audience", "payload"])
    for row in rows:
        writer.writerow(
            [
                row["seq"],
                row["time"],
                row["type"],
                row["actor"],
                row["description"],
                row["audience"],
                json.dumps(row["payload"], ensure_ascii=False),
            ]
        )
