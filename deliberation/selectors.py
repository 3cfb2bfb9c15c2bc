"""Every read of the live module: one state snapshot for the page, the socket and resync."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from deliberation import rules
from deliberation.models import Ballot, Comment, Event, Flag, LiveSession, Participant, Presence, Proposal, Round, VotingCard

# A client further behind than this gets a fresh snapshot instead of the missed events.
MAX_REPLAY = 500


def participant_summary(participant):
    """What facilitators see of a participant (names are "" when anonymous, labelled by each viewer)."""
    return {"id": participant.pk, "name": participant.display_name}


def round_summary(round_, ballot=None):
    """A round as every viewer may see it (never the result: that travels only once allowed); `ballot`: the ids of
    its ballot's proposals when the caller read them already."""
    data = {
        "id": round_.pk,
        "kind": round_.kind,
        # Both languages: each page shows its own, falling back to the other (deliberation/text.py).
        "title": round_.title,
        "title_cy": round_.title_cy,
        "prompt": round_.prompt,
        "prompt_cy": round_.prompt_cy,
        "position": round_.position,
        "state": round_.state,
        "opens_at": round_.opens_at.isoformat() if round_.opens_at else None,
        "closes_at": round_.closes_at.isoformat() if round_.closes_at else None,
        "auto_close": round_.auto_close,
        "auto_publish": round_.auto_publish,
        "max_per_participant": round_.max_per_participant,
    }
    if round_.kind == Round.Kind.VOTE:
        data |= {
            "method": round_.method,
            "seats": round_.seats,
            "ballot": sorted(ballot if ballot is not None else (p.pk for p in round_.ballot_proposals.all())),
        }
    return data


def proposal_public(proposal):
    """A proposal as the public sees it: a hidden one is a stub with the reason."""
    data = {
        "id": proposal.pk,
        "round": proposal.round_id,
        "hidden": proposal.hidden,
        "merged_into": proposal.merged_into_id,
        "created_at": proposal.created_at.isoformat() if proposal.created_at else None,
    }
    if proposal.hidden:
        return data | {"reason": proposal.hidden_reason}
    return data | {
        "title": proposal.title,
        "body": proposal.body,
        "language": proposal.language,
        "author": proposal.author_name,
        "edited": bool(proposal.original_title),
        "original_title": proposal.original_title,
    }


def comment_public(comment):
    """A comment as the public sees it: a hidden one is a stub with the reason."""
    data = {
        "id": comment.pk,
        "round": comment.round_id,
        "proposal": comment.proposal_id,
        "parent": comment.parent_id,
        "hidden": comment.hidden,
        "created_at": comment.created_at.isoformat() if comment.created_at else None,
    }
    if comment.hidden:
        return data | {"reason": comment.hidden_reason}
    return data | {"body": comment.body, "language": comment.language, "stance": comment.stance, "author": comment.author_name}


def flag_summary(flag):
    """A flag as facilitators see it."""
    return {
        "id": flag.pk,
        "proposal": flag.proposal_id,
        "comment": flag.comment_id,
        "reason": flag.reason,
        "resolved": flag.resolved,
        "by": flag.participant.display_name,
    }


def paper_slip(ballot):
    """A paper slip as facilitators see it in the console (to check it against the paper, or void it)."""
    return {
        "id": ballot.pk,
        "round": ballot.round_id,
        "ranking": ballot.ranking,
        "receipt": ballot.receipt,
        "voided": ballot.voided_at is not None,
        "void_reason": ballot.void_reason,
        "number": ballot.slip_number,
        "entry_pass": ballot.entry_pass,
        "card": ballot.card.number if ballot.card_id else None,
    }


def usable_proposals(session):
    """Proposals that can go on a ballot or be commented on: visible and not merged away."""
    return Proposal.objects.filter(round__session=session, hidden=False, merged_into__isnull=True)


def viewer_flags(session, actor):
    """What the viewer is in this session, and what the eligibility mode lets them do."""
    participant = actor.participant
    return {
        "facilitator": rules.can(actor, rules.VIEW_FACILITATOR_DATA, session),
        "participant": participant.pk if participant else None,
        "name": participant.display_name if participant else "",
        "named": bool(participant and participant.display_name),
        "eligible": rules.can(actor, rules.CAST_BALLOT, session),
        "may_contribute": rules.can(actor, rules.SUBMIT_PROPOSAL, session),
        # Why the participant may not vote ("no_card", "not_on_list", "not_admitted"), "" when they may.
        "ineligible": rules.ineligibility(participant, session) if participant else "",
        "admission": participant.admission if participant else None,
        "has_card": bool(participant and VotingCard.objects.filter(participant=participant).exists()),
    }


def eligibility_summary(session):
    """The session's eligibility rules as everyone may see them."""
    return {
        "mode": session.eligibility,
        "uncarded_may_contribute": session.uncarded_may_contribute,
        "double_entry": session.double_entry,
    }


def eligibility_locked(session):
    """Whether who may vote is fixed now: a vote round is open or a ballot exists (the console and admin ask this)."""
    voting = session.rounds.filter(kind=Round.Kind.VOTE, state=Round.State.OPEN).exists()
    return voting or Ballot.objects.filter(round__session=session).exists()


ADMISSION_PAGE = 50


def admission_queue(session, page=1):
    """People waiting to be admitted, oldest first, a page of at most 50: {"items", "page", "pages", "total"}."""
    waiting = Participant.objects.filter(session=session, admission=Participant.Admission.PENDING).order_by("joined_at", "pk")
    total = waiting.count()
    pages = max(1, -(-total // ADMISSION_PAGE))
    page = min(max(1, int(page or 1)), pages)
    rows = waiting[(page - 1) * ADMISSION_PAGE : page * ADMISSION_PAGE]
    items = [participant_summary(p) | {"joined_at": p.joined_at.isoformat()} for p in rows]
    return {"items": items, "page": page, "pages": pages, "total": total}


def double_entry_differences(round_):
    """Slips whose two typings differ or where one is missing: [{"slip", "first", "second"}] (voided slips left out)."""
    if not LiveSession.objects.filter(pk=round_.session_id, double_entry=True).exists():
        return []
    slips = Ballot.objects.filter(round=round_, is_paper=True, slip_number__isnull=False)
    first, second, voided = {}, {}, set()
    for number, entry_pass, ranking, voided_at in slips.values_list("slip_number", "entry_pass", "ranking", "voided_at"):
        if voided_at is not None:
            voided.add((number, entry_pass))
            continue
        (first if entry_pass == 1 else second)[number] = ranking
    numbers = sorted((set(first) | set(second)) - {n for n, p in voided if p == 1})
    return [{"slip": n, "first": first.get(n), "second": second.get(n)} for n in numbers if first.get(n) != second.get(n)]


def reconciliation(round_):
    """How a vote round's ballots reconcile with the session's cards, slips, participants and devices."""
    from deliberation.counting import valid_ballots  # counting imports selectors: loaded at call time

    session = LiveSession.objects.get(pk=round_.session_id)  # current rules, whatever object the caller holds
    ballots = Ballot.objects.filter(round=round_, entry_pass=1)
    online = ballots.filter(is_paper=False)
    paper = ballots.filter(is_paper=True)
    issued = session.cards.count()
    used_online = online.filter(card__isnull=False).count()
    used_on_paper = paper.filter(card__isnull=False, voided_at__isnull=True).count()
    admitted = Participant.objects.filter(session=session, admission=Participant.Admission.ADMITTED)
    voided = paper.filter(voided_at__isnull=False).order_by("slip_number", "pk")
    return {
        "mode": session.eligibility,
        "cards_issued": issued,
        "cards_used_online": used_online,
        "cards_used_on_paper": used_on_paper,
        "cards_unused": max(0, issued - used_online - used_on_paper),
        "online_ballots": online.count(),
        "paper_slips": paper.count(),
        "slips_voided": [{"number": b.slip_number, "reason": b.void_reason} for b in voided],
        "ballots_counted": valid_ballots(round_).count(),
        "participants": admitted.count(),
        "devices": admitted.exclude(device="").values("device").distinct().count(),
        "double_entry_differences": double_entry_differences(round_),
    }


def reconciliation_round(session):
    """The vote round the console reconciles: the open one, else the last one opened."""
    votes = session.rounds.filter(kind=Round.Kind.VOTE).exclude(state=Round.State.DRAFT)
    return votes.filter(state=Round.State.OPEN).first() or votes.order_by("-opened_at", "-position").first()


# The session's proposals and comments as the public sees them, per process, for the last public event they reflect.
# They change only through public events (submitted, hidden, restored, merged, edited ...), each of which moves
# `last_public_seq`: a connect storm of 2,000 people builds them once per event, not once per person.
_contributions: dict[tuple, tuple[list, list]] = {}
CONTRIBUTIONS_KEPT = 32  # sessions whose lists a process keeps


def _public_contributions(session):
    """[(author_id, public dict)] for the session's proposals and for its comments, as of `session.last_public_seq`."""
    key = (session.pk, session.created_at, session.last_public_seq)
    cached = _contributions.get(key)
    if cached is None:
        proposals = [(p.author_id, proposal_public(p)) for p in Proposal.objects.filter(round__session=session)]
        comments = [(c.author_id, comment_public(c)) for c in Comment.objects.filter(round__session=session)]
        stale = [k for k in _contributions if k[0] == session.pk]
        if len(_contributions) - len(stale) >= CONTRIBUTIONS_KEPT:
            stale = list(_contributions)
        for old in stale:
            _contributions.pop(old, None)
        cached = _contributions[key] = (proposals, comments)
    return cached


def session_state(session, actor):
    """Everything this viewer may see of the session now, with the seq it is current to."""
    session = LiveSession.objects.get(pk=session.pk)  # fresh last_seq
    viewer = viewer_flags(session, actor)
    facilitator = viewer["facilitator"]
    me = actor.participant.pk if actor.participant else None
    rounds = list(session.rounds.all())
    ballots = {round_.pk: [] for round_ in rounds}  # the ballots' proposal ids, read as pairs (no Proposal objects)
    for round_id, proposal_id in Round.ballot_proposals.through.objects.filter(round__session=session).values_list(
        "round_id", "proposal_id"
    ):
        ballots[round_id].append(proposal_id)
    if not facilitator:
        # Drafts stay private until scheduled: a scheduled one is announced ("Opens 3 March at 10:00").
        rounds = [r for r in rounds if r.state != Round.State.DRAFT or r.opens_at]
    proposals, comments = _public_contributions(session)
    state = {
        "session": {
            "id": session.pk,
            "code": session.code,
            "title": session.title,
            "title_cy": session.title_cy,
            "status": session.status,
            "language": session.language,
            "eligibility": session.eligibility,
            "uncarded_may_contribute": session.uncarded_may_contribute,
            "double_entry": session.double_entry,
        },
        "viewer": viewer,
        "rounds": [],
        "proposals": [data | {"mine": author == me and me is not None} for author, data in proposals],
        "comments": [data | {"mine": author == me and me is not None} for author, data in comments],
        "my_ballots": {},
    }
    for round_ in rounds:
        summary = round_summary(round_, ballots[round_.pk])
        if round_.result and (round_.state == Round.State.PUBLISHED or facilitator):
            summary["result"] = round_.result
        state["rounds"].append(summary)
    if me:
        for ballot in Ballot.objects.filter(participant_id=me):
            state["my_ballots"][str(ballot.round_id)] = {"ranking": ballot.ranking, "receipt": ballot.receipt}
    if facilitator:
        state["facilitator"] = facilitator_data(session)
    return {"type": "state", "seq": session.last_seq, "payload": state}


def facilitator_data(session):
    """Live counts and the moderation queue (never a running result)."""
    ballot_counts = dict(
        Round.objects.filter(session=session, kind=Round.Kind.VOTE)
        .annotate(n=Count("ballots", filter=Q(ballots__voided_at__isnull=True)))
        .values_list("pk", "n")
    )
    slips = Ballot.objects.filter(round__session=session, is_paper=True, round__state__in=[Round.State.OPEN, Round.State.CLOSED])
    flags = Flag.objects.filter(session=session, resolved=False).select_related("participant")
    reconciled = reconciliation_round(session)
    cards = session.cards.aggregate(issued=Count("pk"), used=Count("pk", filter=Q(participant__isnull=False)))
    return {
        "reconciliation": (reconciliation(reconciled) | {"round": reconciled.pk}) if reconciled else None,
        "cards": {"issued": cards["issued"], "used": cards["used"], "unused": cards["issued"] - cards["used"]},
        "admission_queue": admission_queue(session),
        "eligibility_locked": eligibility_locked(session),
        "voters": sorted(session.voters.values_list("username", flat=True)),
        "participants": Participant.objects.filter(session=session).count(),
        "ballots": {str(k): v for k, v in ballot_counts.items()},
        "flags": [flag_summary(f) for f in flags],
        # Paper slips of rounds not yet published, so one typed in error can be voided.
        "paper_slips": [paper_slip(b) for b in slips.select_related("card").order_by("pk")],
        # Facilitators can read what they hid, to decide whether to restore it.
        "hidden_proposals": {
            str(p.pk): {"title": p.title, "body": p.body, "language": p.language, "author": p.author_name}
            for p in Proposal.objects.filter(round__session=session, hidden=True)
        },
        "hidden_comments": {
            str(c.pk): {"body": c.body, "language": c.language, "author": c.author_name}
            for c in Comment.objects.filter(round__session=session, hidden=True)
        },
    }


def event_message(event: Event, prev: int | None = None) -> dict:
    """An event as clients receive it; a public one (audience ALL) carries `prev`, the seq of the public event
    before it (0 if none), so a viewer who gets only public events can tell whether it missed one."""
    if event.audience != Event.Audience.ALL:
        return event.as_message()
    return {"type": event.type, "seq": event.seq, "prev": prev, "payload": event.payload}


def events_after(session: LiveSession, after: int, facilitator: bool) -> list[dict] | None:
    """The events a viewer missed after `after` (a facilitator: every one; others: the public ones, each with its
    `prev`), or None when a fresh snapshot is better."""
    last = LiveSession.objects.filter(pk=session.pk).values_list("last_seq", flat=True).get()
    if after < 0 or after > last or last - after > MAX_REPLAY:
        return None
    public = Event.objects.filter(session=session, audience=Event.Audience.ALL)
    prev = public.filter(seq__lte=after).order_by("-seq").values_list("seq", flat=True).first() or 0
    events = (Event.objects.filter(session=session) if facilitator else public).filter(seq__gt=after).order_by("seq")
    replay = []
    for event in events:
        replay.append(event_message(event, prev))
        if event.audience == Event.Audience.ALL:
            prev = event.seq
    if facilitator:  # facilitators may read hidden items anyway (see facilitator_data)
        return replay
    now = _items_now(session, replay)
    return [_as_now(message, now) for message in replay]


# Event payload keys that carry a proposal's or a comment's public view, with its text and author.
REPLAYED_ITEMS = {"proposal": "proposal", "into": "proposal", "from": "proposal", "comment": "comment"}
ITEM_TEXT = {
    "proposal": ("title", "body", "language", "author", "edited", "original_title"),
    "comment": ("body", "language", "stance", "author"),
}


def _carried(message):
    """(payload key, kind, item) for each contribution a logged event carries."""
    for key, kind in REPLAYED_ITEMS.items():
        item = message.get("payload", {}).get(key)
        if isinstance(item, dict) and "id" in item:
            yield key, kind, item


def _items_now(session, messages):
    """The public view now of every contribution the events carry (two queries)."""
    ids = {"proposal": set(), "comment": set()}
    for message in messages:
        for _key, kind, item in _carried(message):
            ids[kind].add(item["id"])
    return {
        "proposal": {p.pk: proposal_public(p) for p in Proposal.objects.filter(pk__in=ids["proposal"], round__session=session)},
        "comment": {c.pk: comment_public(c) for c in Comment.objects.filter(pk__in=ids["comment"], round__session=session)},
    }


def _as_now(message, now):
    """A logged event as it may be replayed now: a contribution hidden since is its stub, text and author are current."""
    payload = None
    for key, kind, item in _carried(message):
        current = now[kind].get(item["id"])
        if current is None:  # deleted since
            replayed = {"id": item["id"], "hidden": True, "reason": ""}
        elif current["hidden"]:
            replayed = current
        elif item.get("hidden"):
            replayed = item  # a stub then, shown again by a later event
        else:
            replayed = item | {field: current[field] for field in ITEM_TEXT[kind]}
        payload = (payload or dict(message["payload"])) | {key: replayed}
    return message if payload is None else message | {"payload": payload}


def published_rounds(session):
    """Vote rounds of a session whose results are published."""
    return session.rounds.filter(kind=Round.Kind.VOTE, state=Round.State.PUBLISHED)


def scheduled_rounds(session):
    """Rounds scheduled to open (announced: title and times), soonest first: what the name form says is coming."""
    drafts = session.rounds.filter(state=Round.State.DRAFT, opens_at__isnull=False).prefetch_related("ballot_proposals")
    return list(drafts.order_by("opens_at", "position"))


def planned_rounds(session):
    """How many rounds of each kind are prepared and not opened yet: what will happen, never the drafts' titles."""
    counts = dict(session.rounds.filter(state=Round.State.DRAFT).order_by().values_list("kind").annotate(n=Count("pk")))
    return {kind: counts[kind] for kind in Round.Kind.values if counts.get(kind)}


# Sockets not heard from for this long (a killed process leaves rows behind) are not counted.
PRESENCE_TIMEOUT_SECONDS = 90


def presence_counts(session_id):
    """How many people (not sockets: one person may have many tabs) are connected to a session now."""
    since = timezone.now() - timedelta(seconds=PRESENCE_TIMEOUT_SECONDS)
    rows = Presence.objects.filter(session_id=session_id, seen_at__gte=since)
    counts = rows.aggregate(
        facilitators=Count("user", distinct=True, filter=Q(facilitator=True)),
        participants=Count("participant", distinct=True, filter=Q(facilitator=False)),
    )
    return {"participants": counts["participants"], "facilitators": counts["facilitators"]}


def connect_info(code, actor):
    """What a socket needs at connect: the session, whether the viewer may watch, and its role."""
    session = LiveSession.objects.filter(code=code.upper()).first()
    if session is None:
        return None
    return {
        "session_id": session.pk,
        "allowed": rules.can(actor, rules.VIEW_SESSION, session),
        "facilitator": rules.can(actor, rules.VIEW_FACILITATOR_DATA, session),
    }


def consultation_sessions(page):
    """Sessions attached to a consultation page or any of its translations, newest first."""
    if page is None:
        return []
    page_ids = [p.pk for p in page.get_translations(inclusive=True)]
    sessions = LiveSession.objects.filter(consultation_id__in=page_ids).prefetch_related("rounds")
    published = Round.State.PUBLISHED
    return [
        {"session": s, "published": [r for r in s.rounds.all() if r.kind == Round.Kind.VOTE and r.state == published]}
        for s in sessions
    ]
