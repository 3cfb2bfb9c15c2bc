"""The WebSocket message contract: parse, validate, dispatch to a service, reply.

Client → server: `{"type": "<entity>.<verb>", "ref": <client id>, "payload": {...}}`; each
message gets exactly one reply, `ack` or `error`. See docs/protocol.md.
"""

import json
import logging
import re
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deliberation import rules, selectors, services
from deliberation.errors import ServiceError
from deliberation.identity import presenter_key
from deliberation.models import LiveSession
from deliberation.text import check_text, content_language

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024
MAX_REF_LENGTH = 64


@dataclass(frozen=True)
class Field:
    """One payload field: its JSON type and whether it must be present."""

    kind: str  # "int", "str", "bool" or "int_list"
    required: bool = True


def _type_ok(kind, value):
    """Check a JSON value against a field kind (bools are not ints here)."""
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int_list":
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    return False


def _ack_id(obj):
    """The ack payload for a created or changed object."""
    return {"id": obj.pk}


def _round_ack(round_):
    """The ack payload for a round that changed state."""
    return {"id": round_.pk, "state": round_.state}


def _admission_ack(participant):
    """The ack payload for an admitted or refused participant."""
    return {"id": participant.pk, "admission": participant.admission}


def _voter_ack(user):
    """The ack payload for a change to the session's sign-in list."""
    return {"username": user.get_username()}


def _written_in(p):
    """A contribution's language: as sent (the service refuses anything but "en" and "cy"), else the page's."""
    language = p.get("language")
    return content_language() if language is None else language


# One handler per message type: handler(actor, session, payload, ref) → ack payload.
def _proposal_submit(actor, session, p, ref):
    return _ack_id(
        services.proposal_submit(
            actor=actor,
            session=session,
            round_id=p["round"],
            title=p["title"],
            body=p.get("body", ""),
            language=_written_in(p),
            ref=ref,
        )
    )


def _comment_submit(actor, session, p, ref):
    return _ack_id(
        services.comment_submit(
            actor=actor,
            session=session,
            round_id=p["round"],
            proposal_id=p["proposal"],
            body=p["body"],
            stance=p.get("stance", ""),
            parent_id=p.get("parent"),
            language=_written_in(p),
            ref=ref,
        )
    )


def _ballot_cast(actor, session, p, ref):
    ballot = services.ballot_cast(actor=actor, session=session, round_id=p["round"], ranking=p["ranking"], ref=ref)
    return {"id": ballot.pk, "receipt": ballot.receipt, "ranking": ballot.ranking}


def _ballot_enter_paper(actor, session, p, ref):
    ballot = services.ballot_enter_paper(
        actor=actor,
        session=session,
        round_id=p["round"],
        ranking=p["ranking"],
        ref=ref,
        card_code=p.get("card") or "",
        entry_pass=p.get("entry_pass") or 1,
    )
    return {"id": ballot.pk, "receipt": ballot.receipt, "number": ballot.slip_number, "entry_pass": ballot.entry_pass}


def _ballot_void_paper(actor, session, p, ref):
    return _ack_id(services.ballot_void_paper(actor=actor, session=session, ballot_id=p["id"], reason=p["reason"]))


def _session_set_eligibility(actor, session, p, ref):
    session = services.session_set_eligibility(
        actor=actor,
        session=session,
        mode=p["mode"],
        uncarded_may_contribute=p.get("uncarded_may_contribute"),
        double_entry=p.get("double_entry"),
    )
    return selectors.eligibility_summary(session)


def _cards_generate(actor, session, p, ref):
    cards = services.cards_generate(actor=actor, session=session, count=p["count"])
    return {"count": len(cards), "first": cards[0].number, "last": cards[-1].number}


def _participant_admit(actor, session, p, ref):
    return _admission_ack(services.participant_admit(actor=actor, session=session, participant_id=p["id"]))


def _participant_refuse(actor, session, p, ref):
    return _admission_ack(services.participant_refuse(actor=actor, session=session, participant_id=p["id"]))


def _participant_use_card(actor, session, p, ref):
    participant = services.participant_use_card(actor=actor, session=session, card_code=p["card"])
    return {"participant": participant.pk, "eligible": True}


def _participant_rename(actor, session, p, ref):
    participant = services.participant_rename(actor=actor, session=session, name=p["name"])
    return {"name": participant.display_name, "named": bool(participant.display_name)}


def _voter_add(actor, session, p, ref):
    return _voter_ack(services.voter_add(actor=actor, session=session, username=p["username"]))


def _voter_remove(actor, session, p, ref):
    return _voter_ack(services.voter_remove(actor=actor, session=session, username=p["username"]))


def _flag_submit(actor, session, p, ref):
    return _ack_id(
        services.flag_submit(
            actor=actor, session=session, proposal_id=p.get("proposal"), comment_id=p.get("comment"), reason=p.get("reason", "")
        )
    )


def _flag_resolve(actor, session, p, ref):
    services.flag_resolve(actor=actor, session=session, flag_id=p["id"])
    return {}


def _round_create(actor, session, p, ref):
    fields = {k: p[k] for k in services.ROUND_FIELDS if k in p}
    return _ack_id(services.round_create(actor=actor, session=session, **fields))


def _round_update(actor, session, p, ref):
    fields = {k: p[k] for k in services.ROUND_TEXT_FIELDS if k in p}
    return _ack_id(services.round_update(actor=actor, session=session, round_id=p["round"], **fields))


def _round_reorder(actor, session, p, ref):
    services.round_reorder(actor=actor, session=session, order=p["order"])
    return {}


def _round_open(actor, session, p, ref):
    return _round_ack(
        services.round_open(
            actor=actor, session=session, round_id=p["round"], minutes=p.get("minutes"), auto_close=bool(p.get("auto_close"))
        )
    )


def _round_schedule(actor, session, p, ref):
    # Absent (or null) leaves a time as it is; "" removes it.
    times = {name: p[name] for name in ("opens_at", "closes_at") if p.get(name) is not None}
    round_ = services.round_schedule(
        actor=actor,
        session=session,
        round_id=p["round"],
        auto_publish=p.get("auto_publish"),
        local=bool(p.get("local")),
        **times,
    )
    return selectors.round_summary(round_)  # the round as saved: id, state, opens_at, closes_at, auto_publish


def _round_close(actor, session, p, ref):
    return _round_ack(services.round_close(actor=actor, session=session, round_id=p["round"]))


def _round_publish(actor, session, p, ref):
    return _round_ack(services.round_publish(actor=actor, session=session, round_id=p["round"]))


def _round_recount(actor, session, p, ref):
    round_ = services.round_recount(
        actor=actor, session=session, round_id=p["round"], method=p.get("method"), seats=p.get("seats")
    )
    return _round_ack(round_) | {"outcome": round_.result.get("outcome", "")}


def _proposal_hide(actor, session, p, ref):
    return _ack_id(services.proposal_hide(actor=actor, session=session, proposal_id=p["id"], reason=p["reason"]))


def _proposal_restore(actor, session, p, ref):
    return _ack_id(services.proposal_restore(actor=actor, session=session, proposal_id=p["id"]))


def _proposal_merge(actor, session, p, ref):
    return _ack_id(services.proposal_merge(actor=actor, session=session, proposal_id=p["id"], into_id=p["into"]))


def _proposal_unmerge(actor, session, p, ref):
    return _ack_id(services.proposal_unmerge(actor=actor, session=session, proposal_id=p["id"], reason=p["reason"]))


def _proposal_edit_title(actor, session, p, ref):
    return _ack_id(services.proposal_edit_title(actor=actor, session=session, proposal_id=p["id"], title=p["title"]))


def _comment_hide(actor, session, p, ref):
    return _ack_id(services.comment_hide(actor=actor, session=session, comment_id=p["id"], reason=p["reason"]))


def _comment_restore(actor, session, p, ref):
    return _ack_id(services.comment_restore(actor=actor, session=session, comment_id=p["id"]))


def _session_end(actor, session, p, ref):
    return {"status": services.session_end(actor=actor, session=session).status}


def _session_rotate_presenter_key(actor, session, p, ref):
    session = services.session_rotate_presenter_key(actor=actor, session=session)
    return {"version": session.presenter_key_version, "key": presenter_key(session)}  # the ack goes to the facilitator only


ROUND = {"round": Field("int")}
# A round's words in English and Welsh (deliberation/text.py): round.create takes them, round.update changes them.
ROUND_WORDS = {"title_cy": Field("str", False), "prompt": Field("str", False), "prompt_cy": Field("str", False)}
MESSAGES = {
    "proposal.submit": (
        {"round": Field("int"), "title": Field("str"), "body": Field("str", False), "language": Field("str", False)},
        _proposal_submit,
    ),
    "comment.submit": (
        {
            "round": Field("int"),
            "proposal": Field("int"),
            "body": Field("str"),
            "stance": Field("str", False),
            "parent": Field("int", False),
            "language": Field("str", False),
        },
        _comment_submit,
    ),
    "ballot.cast": ({"round": Field("int"), "ranking": Field("int_list")}, _ballot_cast),
    "flag.submit": (
        {"proposal": Field("int", False), "comment": Field("int", False), "reason": Field("str", False)},
        _flag_submit,
    ),
    "participant.rename": ({"name": Field("str")}, _participant_rename),
    "round.create": (
        {
            "kind": Field("str"),
            "title": Field("str"),
            **ROUND_WORDS,
            "max_per_participant": Field("int", False),
            "method": Field("str", False),
            "seats": Field("int", False),
        },
        _round_create,
    ),
    "round.update": (ROUND | {"title": Field("str", False)} | ROUND_WORDS, _round_update),
    "round.reorder": ({"order": Field("int_list")}, _round_reorder),
    "round.open": (ROUND | {"minutes": Field("int", False), "auto_close": Field("bool", False)}, _round_open),
    "round.schedule": (
        ROUND
        | {
            "opens_at": Field("str", False),
            "closes_at": Field("str", False),
            "auto_publish": Field("bool", False),
            "local": Field("bool", False),
        },
        _round_schedule,
    ),
    "round.close": (ROUND, _round_close),
    "round.publish": (ROUND, _round_publish),
    "round.recount": (ROUND | {"method": Field("str", False), "seats": Field("int", False)}, _round_recount),
    "proposal.hide": ({"id": Field("int"), "reason": Field("str")}, _proposal_hide),
    "proposal.restore": ({"id": Field("int")}, _proposal_restore),
    "proposal.merge": ({"id": Field("int"), "into": Field("int")}, _proposal_merge),
    "proposal.edit_title": ({"id": Field("int"), "title": Field("str")}, _proposal_edit_title),
    "comment.hide": ({"id": Field("int"), "reason": Field("str")}, _comment_hide),
    "comment.restore": ({"id": Field("int")}, _comment_restore),
    "flag.resolve": ({"id": Field("int")}, _flag_resolve),
    "session.end": ({}, _session_end),
    "session.rotate_presenter_key": ({}, _session_rotate_presenter_key),
    "ballot.enter_paper": (
        {"round": Field("int"), "ranking": Field("int_list"), "card": Field("str", False), "entry_pass": Field("int", False)},
        _ballot_enter_paper,
    ),
    "session.set_eligibility": (
        {"mode": Field("str"), "uncarded_may_contribute": Field("bool", False), "double_entry": Field("bool", False)},
        _session_set_eligibility,
    ),
    "cards.generate": ({"count": Field("int")}, _cards_generate),
    "participant.admit": ({"id": Field("int")}, _participant_admit),
    "participant.refuse": ({"id": Field("int")}, _participant_refuse),
    "voter.add": ({"username": Field("str")}, _voter_add),
    "voter.remove": ({"username": Field("str")}, _voter_remove),
    "participant.use_card": ({"card": Field("str")}, _participant_use_card),
    "proposal.unmerge": ({"id": Field("int"), "reason": Field("str")}, _proposal_unmerge),
    "ballot.void_paper": ({"id": Field("int"), "reason": Field("str")}, _ballot_void_paper),
}


def parse(text):
    """Decode a frame into (type, ref, payload), or raise ServiceError with a stable code."""
    if text is None or text == "":
        raise ServiceError("bad_frame")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise ServiceError("too_large")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ServiceError("bad_frame") from exc
    if not isinstance(message, dict):
        raise ServiceError("bad_frame")
    ref = message.get("ref")
    if ref is not None and not (isinstance(ref, str) and len(ref) <= MAX_REF_LENGTH):
        raise ServiceError("bad_frame")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ServiceError("bad_frame")
    payload = message.get("payload", {})
    if not isinstance(payload, dict):
        raise ServiceError("invalid")
    return kind, ref, payload, message


def _validate(fields, payload):
    """Check a payload against its fields: presence, JSON types, and no unknown keys."""
    unknown = set(payload) - set(fields)
    if unknown:
        raise ServiceError("invalid", f"Unknown field: {sorted(unknown)[0]}")
    for name, field in fields.items():
        if name not in payload or payload[name] is None:
            if field.required:
                raise ServiceError("invalid", f"Missing field: {name}")
            continue
        if not _type_ok(field.kind, payload[name]):
            raise ServiceError("invalid", f"Wrong type for field: {name}")
        check_text(payload[name])  # a NUL or a lone surrogate is `invalid` on every transport


def dispatch(actor, session, kind, payload, ref):
    """Validate a payload for a known message type and run its service; return the ack payload."""
    fields, handler = MESSAGES[kind]
    check_text(ref)
    _validate(fields, payload)
    return handler(actor, session, payload, ref or "")


def _ranking_from_ranks(post: QueryDict) -> list[int]:
    """The proposal ids in rank order from a no-JS ballot's `rank_<proposal id>` fields (blank ones left out)."""
    ranks = []
    for key, value in post.items():
        if key.startswith("rank_") and value:
            try:
                ranks.append((int(value), int(key[5:])))
            except ValueError as exc:
                raise ServiceError("invalid") from exc
    if len({r for r, _p in ranks}) != len(ranks):
        raise ServiceError("invalid", gettext("Give each proposal a different rank."))
    return [pid for _r, pid in sorted(ranks)]


def payload_from_post(kind: str, post: QueryDict) -> dict:
    """Turn an HTML form's fields (the no-JS fallback) into a payload of `kind` with the right JSON types."""
    fields, _handler = MESSAGES[kind]
    payload = {}
    for name, field in fields.items():
        if field.kind == "int_list":
            if name == "ranking" and any(key.startswith("rank_") for key in post):
                payload[name] = _ranking_from_ranks(post)
            elif name in post:
                try:
                    payload[name] = [int(v) for v in post.getlist(name) if v]
                except ValueError as exc:
                    raise ServiceError("invalid") from exc
            continue
        value = post.get(name)
        if value in (None, "") and field.kind == "int":
            continue
        if field.kind == "bool":
            payload[name] = value in ("1", "on", "true")  # a checkbox: absent when unticked
            continue
        if field.kind == "int":
            try:
                payload[name] = int(value)
            except ValueError as exc:
                raise ServiceError("invalid", f"Wrong type for field: {name}") from exc
        elif value is not None:
            payload[name] = value
    return payload


SUCCESS = {
    "proposal.submit": _("Your proposal has been added."),
    "comment.submit": _("Your comment has been added."),
    "ballot.cast": _("Your ballot has been recorded. Your receipt code is %(receipt)s."),
    "ballot.enter_paper": _("Paper ballot entered."),
    "ballot.void_paper": _("The paper slip is voided and left out of the count."),
    "proposal.unmerge": _("The merge is undone: the proposal stands on its own again."),
    "flag.submit": _("Thank you. A facilitator will look at it."),
    "participant.rename": _("Your name has been changed."),
    "round.open": _("The round is open."),
    "round.schedule": _("The round's schedule is saved."),
    "round.close": _("The round is closed."),
    "round.publish": _("The results are published."),
    "round.recount": _("The round has been counted again."),
    "round.create": _("Round added to the run of show."),
    "round.update": _("The round's words are saved."),
    "session.end": _("The session has ended. Its record and results stay published."),
    "session.rotate_presenter_key": _("New room-screen link made. Screens using the old link must open the new one."),
    "session.set_eligibility": _("Who may vote is saved."),
    "cards.generate": _("The voting cards are ready to print."),
    "participant.admit": _("Admitted."),
    "participant.refuse": _("Not admitted."),
    "voter.add": _("Added to the list."),
    "voter.remove": _("Taken off the list."),
    "participant.use_card": _("Your voting card is accepted: you can vote."),
}


def success_message(kind, ack):
    """A translated confirmation for the HTML fallback."""
    return str(SUCCESS.get(kind, _("Done."))) % {"receipt": ack.get("receipt", "")}


# A plain `"ref": "..."` (no escapes): enough to answer a refused frame without parsing it.
_REF = re.compile(rf'"ref"\s*:\s*"([^"\\]{{0,{MAX_REF_LENGTH}}})"')


def ref_of(text):
    """Best-effort ref of a refused frame by a bounded scan, never a parse (None for oversized frames)."""
    if not isinstance(text, str) or len(text) > MAX_FRAME_BYTES:
        return None
    found = _REF.search(text)
    return found.group(1) if found else None


def handle(*, session_id, user, participant_id, text, language=None, actor=None):
    """Handle one client frame (as `actor` when the caller built it); return the messages to send back to that client."""
    with translation.override(language):
        return _handle(session_id, user, participant_id, text, actor)


def _handle(session_id, user, participant_id, text, actor=None):
    """handle() in the viewer's language."""
    ref = None
    try:
        kind, ref, payload, message = parse(text)
        session = LiveSession.objects.get(pk=session_id)
        actor = actor or rules.actor_for(user=user, session_id=session_id, participant_id=participant_id)
        if kind == "sync":
            return [_sync(session, actor, message.get("after"), ref)]
        if kind == "ping":
            # The seq of the last event this viewer is sent lets a client that silently missed one notice and sync.
            seq = session.last_seq if rules.can(actor, rules.VIEW_FACILITATOR_DATA, session) else session.last_public_seq
            return [{"type": "ack", "ref": ref, "payload": {"seq": seq}}]
        if kind not in MESSAGES:
            raise ServiceError("unknown_type")
        return [{"type": "ack", "ref": ref, "payload": dispatch(actor, session, kind, payload, ref)}]
    except ServiceError as error:
        if error.code in {"bad_frame", "too_large"} and text and len(text) <= MAX_FRAME_BYTES:
            ref = ref_of(text)
        return [error.as_reply(ref)]
    except Exception:  # exactly one reply per message, even when something unforeseen breaks
        logger.exception("message failed on session %s", session_id)
        return [ServiceError("server_error").as_reply(ref)]


def _sync(session, actor, after, ref):
    """Reply to `sync`: the missed events of this viewer's stream (and which stream it is), or a fresh snapshot
    when replay is not possible."""
    if not isinstance(after, int) or isinstance(after, bool):
        raise ServiceError("invalid", "sync needs an integer 'after'")
    facilitator = rules.can(actor, rules.VIEW_FACILITATOR_DATA, session)
    events = selectors.events_after(session, after, facilitator)
    if events is None:
        return {"type": "ack", "ref": ref, "payload": {"snapshot": selectors.session_state(session, actor)}}
    return {"type": "ack", "ref": ref, "payload": {"events": events, "facilitator": facilitator}}
