"""Pages, exports and HTTP form fallbacks of the live module: they parse, ask, delegate and reply."""

import functools
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation import counting, exports, protocol, rules, selectors, services, tasks, throttle
from deliberation.errors import ServiceError
from deliberation.forms import JoinForm, NameForm
from deliberation.identity import (
    participant_for_return,
    participant_id_from_session,
    presenter_key,
    presenter_session_id,
    remember_participant,
    return_token,
)
from deliberation.models import LiveSession, Participant, Round, normalise_code
from deliberation.results import eligibility_of, result_report
from deliberation.text import missing_languages, pick_field
from notify import services as notify_services
from notify.forms import FollowForm


def _session_or_404(code):
    return get_object_or_404(LiveSession, code=code.upper())


def _guess_scope(request):
    """The join-code throttle's scope for this request's client address."""
    return throttle.join_code_scope(request.META.get("REMOTE_ADDR"))


def _guessing_blocked(request, code=None):
    """Whether this address tried too many unknown codes; signed-in users and those who joined `code` pass."""
    if request.user.is_authenticated or (code and participant_id_from_session(request.session, code)):
        return False
    return not throttle.allow(_guess_scope(request), throttle.JOIN_CODE_FAILURES, throttle.JOIN_CODE_WINDOW)


def _too_many_guesses(request):
    """The bilingual "too many wrong codes" page, HTTP 429."""
    return render(request, "429.html", {"message": _too_many_guesses_message()}, status=429)


def _too_many_guesses_message():
    return _(
        "Too many join codes that match no session were tried from your connection. "
        "Wait ten minutes, then try again, or ask the facilitator for the link or QR code."
    )


def code_lookup(view):
    """For views found by join code: refuse an address that guesses, count the codes that match no session."""

    @functools.wraps(view)
    def wrapper(request, code, *args, **kwargs):
        if _guessing_blocked(request, code):  # right codes too: a blocked guesser learns nothing more
            return _too_many_guesses(request)
        try:
            return view(request, code, *args, **kwargs)
        except Http404:
            if not LiveSession.objects.filter(code=code.upper()).exists():
                throttle.fail(_guess_scope(request), throttle.JOIN_CODE_WINDOW)
            raise

    return wrapper


def _actor(request, session):
    """The request's actor on this session."""
    participant_id = participant_id_from_session(request.session, session.code)
    return rules.actor_for(user=request.user, session_id=session.pk, participant_id=participant_id)


def join(request):
    """The join page: type (or paste) the session's code."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if _guessing_blocked(request, code):
            form.add_error("code", _too_many_guesses_message())
            return render(request, "deliberation/join.html", {"form": form}, status=429)
        if LiveSession.objects.filter(code=code).exists():
            return redirect("session", code=code)
        throttle.fail(_guess_scope(request), throttle.JOIN_CODE_WINDOW)
        form.add_error("code", _("No session has that code. Check it against the screen and try again."))
    return render(request, "deliberation/join.html", {"form": form})


@login_required
def my_sessions(request):
    """The sessions a signed-in facilitator runs, with the links to run them."""
    sessions = LiveSession.objects.filter(facilitators=request.user).prefetch_related("rounds")
    rows = [{"session": s, "presenter_key": presenter_key(s), "published": selectors.published_rounds(s)} for s in sessions]
    return render(request, "deliberation/my_sessions.html", {"rows": rows})


@code_lookup
def session(request, code):
    """The live page, or the name form for someone who has not joined yet."""
    live = _session_or_404(code)
    actor = _actor(request, live)
    if not rules.can(actor, rules.VIEW_SESSION, live):
        if actor.participant is not None:  # joined, but waiting for the facilitator (or refused)
            return render(request, "deliberation/admission_wait.html", {"live": live, "participant": actor.participant})
        return _join_form(request, live)
    state = selectors.session_state(live, actor)
    view = build_view(state["payload"])
    if view["ended"]:
        view = view | {"current": None}  # an ended session offers nothing to do, even with a round left open
    context = {"live": live, "state": state, "view": view, "ref": uuid.uuid4().hex} | _before_start(live)
    return render(request, "deliberation/session.html", context | _schedule_words() | _keep_place(request, actor))


def _client(request, live):
    """What the join throttles and the open-mode device count take from this request (the address is never stored)."""
    address = request.META.get("REMOTE_ADDR", "")
    if request.session.session_key is None:
        request.session.save()  # a key of its own: the per-browser join limit counts it
    device = throttle.device_hash(address, request.META.get("HTTP_USER_AGENT", ""), live)
    return {"address": address, "device": device, "device_key": request.session.session_key}


def _join_form(request, live):
    """The name form, saying before anyone joins who may vote here and asking for what the mode needs."""
    form = NameForm(request.POST or None, initial={"card": normalise_code(request.GET.get("card", ""))}, session=live)
    status = 200
    if request.method == "POST" and form.is_valid():  # the service refuses an ended session ("session_ended")
        try:
            participant = services.participant_join(
                session=live,
                user=request.user,
                display_name=form.cleaned_data["name"],
                card_code=form.cleaned_data.get("card", ""),
                **_client(request, live),
            )
        except ServiceError as error:
            form.add_error("card" if error.code.startswith("card_") and "card" in form.fields else None, error.message)
            status = 429 if error.code.endswith("_throttled") else 200
        else:
            remember_participant(request.session, live.code, participant.pk)
            return redirect("session", code=live.code)
    signed_in = request.user.is_authenticated
    context = {
        "live": live,
        "form": form,
        "published": selectors.published_rounds(live),
        "login_url": f"{reverse('login')}?next={request.path}",
        "on_list": signed_in and live.voters.filter(pk=request.user.pk).exists(),
        "upcoming": [_round_labels(selectors.round_summary(r)) for r in selectors.scheduled_rounds(live)],
    } | _before_start(live)
    return render(request, "deliberation/join_name.html", context, status=status)


@code_lookup
def admission_status(request, code):
    """This browser's admission in the session, for the waiting page to poll: nothing else, never anyone else's."""
    live = _session_or_404(code)
    participant = _actor(request, live).participant
    if participant is None:
        raise Http404
    response = JsonResponse({"admission": participant.admission})
    response["Cache-Control"] = "no-store"
    return response


UK = ZoneInfo("Europe/London")


def _before_start(live):
    """When the session starts (UK time, in the page's language) and how many rounds of each kind are planned."""
    start = None
    if live.starts_at:
        at = live.starts_at.astimezone(UK)
        when = _("%(date)s at %(time)s") % {"date": dateformat.format(at, "l j F Y"), "time": at.strftime("%H:%M")}
        start = {
            "iso": live.starts_at.isoformat(),
            "text": _("%(when)s, UK time") % {"when": when},
            # What the browser needs to say the same moment in its own zone, in the page's language.
            "offset": int(at.utcoffset().total_seconds() // 60),
            "days": "|".join(str(WEEKDAYS[(i + 6) % 7]) for i in range(7)),  # Sunday first, as JS counts
            "months": "|".join(str(MONTHS[i]) for i in range(1, 13)),
        }
    return {"start": start, "plan": selectors.planned_rounds(live)}


# A round closing further off than this shows its date and the days left ("Closes in 12 days"), not a countdown.
LONG_ROUND_SECONDS = 2 * 24 * 3600


def _when(iso):
    """A scheduled time in words, UK time, in the page's language: "3 March at 10:00" (with the year if not this one)."""
    at = datetime.fromisoformat(iso).astimezone(UK)
    date = dateformat.format(at, "j F" if at.year == timezone.now().astimezone(UK).year else "j F Y")
    return _("%(date)s at %(time)s") % {"date": date, "time": at.strftime("%H:%M")}


def _schedule_words():
    """What a live page's JavaScript needs to say scheduled times in its language: the months' names."""
    return {"month_names": "|".join(str(MONTHS[i]) for i in range(1, 13))}


def _local(iso):
    """A time as the console's date-and-time field shows it: UK wall-clock time, to the minute."""
    return datetime.fromisoformat(iso).astimezone(UK).strftime("%Y-%m-%dT%H:%M") if iso else ""


def _schedule_labels(round_):
    """A round's times in words: "Opens 3 March at 10:00"; "Closes in 12 days (17 March at 10:00)" when far off."""
    labels = {
        "opens_text": "",
        "closes_text": "",
        "closes_far": False,
        "opens_local": _local(round_.get("opens_at")),
        "closes_local": _local(round_.get("closes_at")),
    }
    if round_.get("opens_at") and round_["state"] == "draft":
        labels["opens_text"] = _("Opens %(when)s") % {"when": _when(round_["opens_at"])}
    if round_.get("closes_at") and round_["state"] in ("draft", "open"):
        left = (datetime.fromisoformat(round_["closes_at"]) - timezone.now()).total_seconds()
        when = _when(round_["closes_at"])
        labels["closes_far"] = left >= LONG_ROUND_SECONDS
        labels["closes_text"] = (
            _("Closes in %(n)s days (%(when)s)") % {"n": int(left // 86400), "when": when}
            if labels["closes_far"]
            else _("Closes %(when)s") % {"when": when}
        )
    return labels


def _round_labels(round_):
    """A round with its kind and state in words, its title and prompt in the page's language (falling back to the
    other language's, each knowing its `lang`), its schedule in words, and the languages its words still lack."""
    return (
        round_
        | _schedule_labels(round_)
        | {
            "kind_label": Round.Kind(round_["kind"]).label,
            "state_label": Round.State(round_["state"]).label,
            "shown_title": pick_field(round_, "title"),
            "shown_prompt": pick_field(round_, "prompt"),
            "missing": missing_languages(round_, ["title", "prompt"]),
        }
    )


def _thread(comments):
    """A proposal's comments as top-level comments, each with its replies."""
    return [c | {"replies": [r for r in comments if r["parent"] == c["id"]]} for c in comments if c["parent"] is None]


def build_view(payload: dict) -> dict:
    """Arrange a state snapshot's payload for the server-rendered page (what JS later keeps up to date).

    Pure: it builds new dicts and leaves the payload as the selector made it.
    """
    rounds = [_round_labels(r) for r in payload["rounds"]]
    current = next((r for r in rounds if r["state"] == "open"), None)
    comments_by_proposal = {}
    for comment in payload["comments"]:
        comments_by_proposal.setdefault(comment["proposal"], []).append(comment)
    proposals = {}  # by id, in the payload's order; those standing on their own with their thread and merged duplicates
    for proposal in payload["proposals"]:
        pid = proposal["id"]
        proposals[pid] = proposal
        if not proposal["merged_into"]:
            merged = [p for p in payload["proposals"] if p["merged_into"] == pid]
            proposals[pid] = proposal | {"thread": _thread(comments_by_proposal.get(pid, [])), "merged": merged}
    ballot = []
    my_ballot = None
    if current and current["kind"] == "vote":
        ballot = [proposals[i] for i in current["ballot"] if i in proposals]
        my_ballot = payload["my_ballots"].get(str(current["id"]))
    return {
        "started": any(r["state"] != "draft" for r in rounds),
        "ended": payload["session"]["status"] == LiveSession.Status.ENDED,
        "current": current,
        "proposals": [p for p in proposals.values() if not p["merged_into"]],
        "ballot": ballot,
        "my_ballot": my_ballot,
        "rank_choices": list(range(1, len(ballot) + 1)),
        "published": [r for r in rounds if r["state"] == "published"],
        "rounds": rounds,
        # Scheduled rounds not open yet, soonest first ("Opens 3 March at 10:00").
        "upcoming": sorted((r for r in rounds if r["state"] == "draft" and r.get("opens_at")), key=lambda r: r["opens_at"]),
    }


@code_lookup
@require_POST
def act(request, code):
    """The HTTP fallback of every socket action: the same protocol, services and errors."""
    live = _session_or_404(code)
    actor = _actor(request, live)
    kind = request.POST.get("action", "")
    ref = request.POST.get("ref", "")[: protocol.MAX_REF_LENGTH]
    back = request.POST.get("next", "")
    # Only paths on this site: "//evil.example" and "/\\evil.example" are other hosts to a browser.
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = reverse("session", args=[live.code])
    try:
        if kind not in protocol.MESSAGES:
            raise ServiceError("unknown_type")
        payload = protocol.payload_from_post(kind, request.POST)
        reply = protocol.dispatch(actor, live, kind, payload, ref)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, protocol.success_message(kind, reply))
    return redirect(back)


def _refuse(request):
    """Not allowed: strangers are sent to sign in, signed-in users get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _swapped(order, i):
    """The order with items i and i + 1 swapped."""
    return order[:i] + [order[i + 1], order[i]] + order[i + 2 :]


def _join_url(request, live):
    """The short join link for QR codes and screens (the visitor's language is chosen on arrival)."""
    return request.build_absolute_uri(f"/s/{live.code}/")


@code_lookup
def facilitate(request, code):
    """The facilitator's console."""
    live = _session_or_404(code)
    actor = _actor(request, live)
    if not rules.can(actor, rules.VIEW_FACILITATOR_DATA, live):
        return _refuse(request)
    state = selectors.session_state(live, actor)
    fac = state["payload"]["facilitator"]
    # Facilitators read what they hid and who wrote it, to judge restoring.
    payload = state["payload"] | {
        kind: [_with_hidden_words(item, fac[f"hidden_{kind}"]) for item in state["payload"][kind]]
        for kind in ("proposals", "comments")
    }
    view = build_view(payload)
    titles = {p["id"]: p.get("title") or p.get("hidden_title") or f"#{p['id']}" for p in payload["proposals"]}
    merged = [p | {"merged_into_title": titles.get(p["merged_into"], "")} for p in payload["proposals"] if p["merged_into"]]
    view |= {
        "rounds": _with_reorder_links(view["rounds"]),
        "mod_proposals": sorted(view["proposals"] + merged, key=lambda p: p["id"]),
        "slips": _console_slips(fac["paper_slips"], titles, {r["id"]: r["shown_title"] for r in view["rounds"]}),
        "reconciliations": _reconciliations(view["rounds"], fac["reconciliation"]),
    }
    context = {
        "live": live,
        "state": state,
        "view": view,
        "ref": uuid.uuid4().hex,
        "kinds": Round.Kind.choices,
        "methods": Round.Method.choices,
        "join_url": _join_url(request, live),
        "presenter_key": presenter_key(live),
        "elig": _eligibility_view(live, fac, request.GET.get("waiting")),
    }
    return render(request, "deliberation/facilitate.html", context | _schedule_words())


def _with_hidden_words(item, hidden):
    """A proposal or comment; when hidden, with the words and author the facilitator's data keeps for it."""
    if not item["hidden"]:
        return item
    words = hidden.get(str(item["id"]), {})
    return item | {
        "hidden_title": words.get("title", ""),
        "hidden_body": words.get("body", ""),
        "hidden_author": words.get("author", ""),
        "language": words.get("language", ""),
    }


def _with_reorder_links(rounds):
    """Each draft with its "move up"/"move down" as the whole new order, so reordering works without JS too."""
    drafts = [r["id"] for r in rounds if r["state"] == "draft"]

    def links(i):
        return {
            "order_up": _swapped(drafts, i - 1) if i > 0 else None,
            "order_down": _swapped(drafts, i) if i < len(drafts) - 1 else None,
        }

    return [r | links(drafts.index(r["id"])) if r["id"] in drafts else r for r in rounds]


def _console_slips(slips, titles, round_titles):
    """The paper slips entered, each numbered (in its round, unless it has a number) and its ranking in words."""
    numbers, shaped = {}, []
    for slip in slips:
        numbers[slip["round"]] = numbers.get(slip["round"], 0) + 1
        ranking = ", ".join(f"{i}. {titles.get(pid, f'#{pid}')}" for i, pid in enumerate(slip["ranking"], 1))
        number = slip.get("number") or numbers[slip["round"]]
        shaped.append(slip | {"number": number, "round_title": round_titles.get(slip["round"], ""), "ranking_text": ranking})
    return shaped


def _reconciliations(rounds, reconciliation):
    """Closed votes' figures: the freshest (after a void) else those stored with the count."""
    shaped = []
    for r in rounds:
        fresh = reconciliation if (reconciliation or {}).get("round") == r["id"] else None
        figures = fresh or (r.get("result") or {}).get("eligibility")
        if r["kind"] == "vote" and r["state"] == "closed" and figures:
            shaped.append(figures | {"round": r["id"], "title": r["shown_title"]})
    return shaped


# One line each under the console's four choices of who may vote.
ELIGIBILITY_HINTS = {
    "open": gettext_lazy("Anyone with the code or link votes. Quick, but not verified: results say so."),
    "cards": gettext_lazy("Each person needs a single-use card you print and hand out; a card votes once, online or on paper."),
    "signin": gettext_lazy("Only signed-in people you put on the list below may vote."),
    "admission": gettext_lazy("Anyone with the code asks to join and you admit or refuse each one here."),
}


def _eligibility_view(live, fac, waiting):
    """What the console's "Who may vote" section shows: the mode, the lock, cards, the list and the queue (paged)."""
    try:
        pages = max(1, min(int(waiting or 1), 200))
    except ValueError:
        pages = 1
    queue = [selectors.admission_queue(live, page) for page in range(1, pages + 1)] if pages > 1 else [fac["admission_queue"]]
    items = [
        item | {"time_text": dateformat.format(datetime.fromisoformat(item["joined_at"]).astimezone(UK), "H:i")}
        for page in queue
        for item in page["items"]
    ]
    return {
        "mode": live.eligibility,
        "uncarded_may_contribute": live.uncarded_may_contribute,
        "double_entry": live.double_entry,
        "locked": fac["eligibility_locked"],
        "modes": [(value, label, ELIGIBILITY_HINTS[value]) for value, label in LiveSession.Eligibility.choices],
        "cards": card_figures(fac),
        "voters": [{"username": name} for name in fac["voters"]],
        "queue": items,
        "queue_total": queue[-1]["total"],
        "queue_next": pages + 1,
    }


def card_figures(fac):
    """Cards issued, used online, used on paper and unused (in the vote being reconciled, else none used yet)."""
    rec = fac.get("reconciliation") or {}
    issued = fac["cards"]["issued"]
    online, paper = rec.get("cards_used_online", 0), rec.get("cards_used_on_paper", 0)
    return {"issued": issued, "used_online": online, "used_on_paper": paper, "unused": max(0, issued - online - paper)}


@code_lookup
def present(request, code):
    """The presenter screen for the room's projector: what the public sees; live with the console's key."""
    live = _session_or_404(code)
    state = selectors.session_state(live, rules.actor_for())  # what the public sees; the key only opens the socket
    join_url = _join_url(request, live)
    key = request.GET.get("key", "")
    both = request.GET.get("both") == "1"  # a mixed room: the session's and rounds' words in Welsh, then English
    context = {
        "live": live,
        "state": state,
        "view": build_view(state["payload"]),
        "both": both,
        "toggle_url": _present_url(live, key, not both),
        "join_url": join_url,
        "qr_svg": exports.qr_svg(join_url),
        "presenter_key": key if presenter_session_id(key) == live.pk else "",
    }
    return render(request, "deliberation/present.html", context | _schedule_words())


def _present_url(live, key, both):
    """The presenter screen's link with the same key, showing both languages or one."""
    query = urlencode({k: v for k, v in (("key", key), ("both", "1" if both else "")) if v})
    return reverse("present", args=[live.code]) + (f"?{query}" if query else "")


@code_lookup
def qr(request, code):
    """The join link as an SVG QR code."""
    live = _session_or_404(code)
    return HttpResponse(exports.qr_svg(_join_url(request, live)), content_type="image/svg+xml")


def _card_number(text):
    """A card number from the query string, or None when missing or not a number."""
    return int(text) if text and text.isdigit() else None


@code_lookup
def cards_sheet(request, code):
    """The session's voting cards as A4 sheets to print and cut (bilingual, each with its QR code), `?from=N&to=M`."""
    live = _session_or_404(code)
    if not rules.can(_actor(request, live), rules.MANAGE_ELIGIBILITY, live):
        return _refuse(request)
    cards = live.cards.order_by("number")
    first, last = _card_number(request.GET.get("from")), _card_number(request.GET.get("to"))
    cards = cards.filter(number__gte=first) if first else cards
    cards = cards.filter(number__lte=last) if last else cards
    join_url = _join_url(request, live)
    rows = []
    for card in cards:
        link = f"{join_url}?card={card.code}"
        title = _("QR code for voting card %(number)s") % {"number": card.number}
        rows.append({"number": card.number, "code": card.code, "qr": exports.qr_svg(link, title=title)})
    context = {
        "live": live,
        "cards": rows,
        "total": live.cards.count(),
        "address": request.get_host() + "/join",
        "sheets": [rows[i : i + 8] for i in range(0, len(rows), 8)],  # one A4 page each, 2 × 4 cards
    }
    return render(request, "deliberation/cards.html", context)


def _published_round(live, round_id):
    round_ = get_object_or_404(Round, pk=round_id, session=live, kind=Round.Kind.VOTE)
    if round_.state != Round.State.PUBLISHED:
        raise Http404
    return round_


@code_lookup
def results(request, code, round_id):
    """A published count, stage by stage, with downloads and the receipt check."""
    live = _session_or_404(code)
    round_ = _published_round(live, round_id)
    receipt = normalise_code(request.GET.get("receipt", ""))
    context = {
        "live": live,
        "round": round_,
        "report": result_report(round_),
        "receipt": receipt,
        "receipt_found": counting.receipt_counted(round_, receipt) if receipt else None,
        "recount_command": counting.recount_command(round_),
    }
    return render(request, "deliberation/results.html", context)


@code_lookup
def results_download(request, code, round_id, fmt):
    """Anonymised ballots (BLT, CSV), the result (JSON) and the receipts list of a published round."""
    live = _session_or_404(code)
    round_ = _published_round(live, round_id)
    stem = f"cyd-{live.code}-round-{round_.pk}"
    if fmt == "blt":
        response = HttpResponse(counting.ballots_blt(round_), content_type="text/plain; charset=utf-8")
    elif fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        counting.ballots_csv(round_, response)
    elif fmt == "json":
        # How far the result can be trusted travels with it (results counted before issue 9 get today's figures).
        result = {**round_.result, "eligibility": eligibility_of(round_)}
        response = JsonResponse(result, json_dumps_params={"indent": 2, "ensure_ascii": False})
    elif fmt == "receipts":
        # Sorted random codes reveal nothing about who voted when.
        receipts = sorted(counting.valid_ballots(round_).values_list("receipt", flat=True))  # never a voided slip
        response = HttpResponse("\n".join(receipts) + "\n", content_type="text/plain; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{stem}.{"txt" if fmt == "receipts" else fmt}"'
    return response


@code_lookup
def audit_log(request, code, fmt="html"):
    """The event log of a session, for its facilitators and the consultation's editors."""
    live = _session_or_404(code)
    actor = _actor(request, live)
    if not rules.can(actor, rules.VIEW_AUDIT_LOG, live):
        return _refuse(request)
    events = live.events.select_related("actor_user", "actor_participant").order_by("seq")
    # Editors who do not facilitate never read the text of an item hidden now.
    context = exports.AuditContext.for_session(live, facilitator=rules.can(actor, rules.VIEW_FACILITATOR_DATA, live))
    rows = exports.audit_rows(events, context)
    if fmt == "json":
        return JsonResponse({"session": live.code, "events": rows}, json_dumps_params={"indent": 2, "ensure_ascii": False})
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cyd-{live.code}-audit-log.csv"'
        exports.audit_csv(rows, response)
        return response
    return render(request, "deliberation/audit_log.html", {"live": live, "rows": rows})


# --- a session in people's calendars (issue 12) ---------------------------------------------------------------------

ICS_UTC = ZoneInfo("UTC")


def _ics_text(value):
    """Text escaped for an iCalendar TEXT value (RFC 5545 3.3.11): backslashes, semicolons, commas and newlines."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _ics_fold(line):
    """A content line folded at 75 octets (RFC 5545 3.1): CRLF and a space, never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            parts.append(current)
            current, size = " ", 1
        current, size = current + char, size + width
    return "\r\n".join([*parts, current])


def session_calendar(live, url, host, stamp):
    """The session as an iCalendar file with one VEVENT, in the active language: its start in UTC and its join link."""
    title, description = live.shown_title, live.shown_description
    how = _("Join the session: %(url)s (join code %(code)s)") % {"url": url, "code": live.code}
    about = "\n".join(text for text in (description, how) if text)
    utc = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cyd//Live sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:cyd-session-{live.code}@{host}",
        f"DTSTAMP:{stamp.astimezone(ICS_UTC).strftime(utc)}",
        f"DTSTART:{live.starts_at.astimezone(ICS_UTC).strftime(utc)}",
        f"SUMMARY;LANGUAGE={title.lang}:{_ics_text(title)}",
        f"DESCRIPTION:{_ics_text(about)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


@code_lookup
def session_ics(request, code):
    """A calendar file (.ics) for a session still to come that has a start time, in the page's language."""
    live = _session_or_404(code)
    if live.status == LiveSession.Status.ENDED or live.starts_at is None:
        raise Http404
    url = request.build_absolute_uri(live.get_absolute_url())
    text = session_calendar(live, url, request.get_host().split(":")[0], timezone.now())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cyd-{live.code}.ics"'
    return response


# --- coming back on another day or device: a walk-in's return link (issue 13) ---------------------------------------

# E-mailing the link: a person sends it to themselves a few times at most; a hall shares one address.
RETURN_EMAILS_PER_PARTICIPANT = 5
RETURN_EMAILS_PER_ADDRESS = 60
RETURN_EMAIL_WINDOW = 60 * 60  # seconds; the refusal says "an hour"


class ReturnEmailForm(FollowForm):
    """The "E-mail me this link" form: an address (checked as the follow form does), a language, follow or not."""

    follow = forms.BooleanField(label=gettext_lazy("and tell me what happens"), required=False)


def _keep_place_url(request, participant):
    """The participant's return link, absolute, in the page's language."""
    return request.build_absolute_uri(reverse("return_link", args=[participant.session.code, return_token(participant)]))


def _keep_place(request, actor):
    """What the session page's "Keep your place" section needs: the viewer's own link (None for anyone else)."""
    participant = actor.participant
    if participant is None or not rules.can(actor, rules.KEEP_PLACE, participant):
        return {"keep_place": None}
    return {"keep_place": {"url": _keep_place_url(request, participant), "language": get_language()}}


def _private(response):
    """A response about a secret link: never cached, never sent on as a Referer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _return_refused(request, reason, live=None, status=404):
    """The bilingual page saying why a return link does not work ("unknown", "refused", "ended"); nothing changed."""
    context = {"reason": reason, "live": live, "published": selectors.published_rounds(live) if live else []}
    return _private(render(request, "deliberation/return_refused.html", context, status=status))


def return_link(request, code, token):
    """Open a walk-in's return link: this browser becomes that participant and goes to the session page.

    Wrong links count towards the address's join-code guessing budget (deliberation/throttle.py)."""
    scope = _guess_scope(request)
    if not throttle.allow(scope, throttle.JOIN_CODE_FAILURES, throttle.JOIN_CODE_WINDOW):
        message = _(
            "Too many links or join codes that match nothing were tried from your connection. Wait ten minutes, then try again."
        )
        return _private(render(request, "429.html", {"message": message}, status=429))
    participant = participant_for_return(code, token)
    if participant is None:
        throttle.fail(scope, throttle.JOIN_CODE_WINDOW)
        return _return_refused(request, "unknown")
    live = participant.session
    if live.status == LiveSession.Status.ENDED:
        return _return_refused(request, "ended", live, status=410)
    if participant.admission == Participant.Admission.REFUSED:
        return _return_refused(request, "refused", live, status=410)
    remember_participant(request.session, live.code, participant.pk)
    return _private(redirect("session", code=live.code))


def _back_to_keep_place(live):
    return redirect(reverse("session", args=[live.code]) + "#keep-place")


@code_lookup
@require_POST
def return_link_new(request, code):
    """The "Make a new link" button: the viewer's own return link is replaced and the old one stops working."""
    live = _session_or_404(code)
    try:
        services.participant_new_return_link(actor=_actor(request, live), session=live)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Here is your new link. The old one no longer works."))
    return _back_to_keep_place(live)


@code_lookup
@require_POST
def return_link_email(request, code):
    """The "E-mail me this link" form: one e-mail through the queue; the address is kept only to follow."""
    live = _session_or_404(code)
    actor = _actor(request, live)
    participant = actor.participant
    refusal = rules.refusal(actor, rules.KEEP_PLACE, participant) if participant is not None else "not_joined"
    if not refusal and live.status == LiveSession.Status.ENDED:
        refusal = "session_ended"
    if refusal:
        messages.error(request, ServiceError(refusal).message)
        return _back_to_keep_place(live)
    form = ReturnEmailForm(request.POST, auto_id="keep-place-%s")  # the ids the form template uses
    context = {"live": live, "form": form}
    if not form.is_valid():
        return _private(render(request, "deliberation/return_email.html", context, status=400))
    email, language = form.cleaned_data["email"], form.cleaned_data["language"]
    scopes = [
        (f"return-email:participant:{participant.pk}", RETURN_EMAILS_PER_PARTICIPANT),
        (f"return-email:address:{request.META.get('REMOTE_ADDR', '') or 'unknown'}", RETURN_EMAILS_PER_ADDRESS),
    ]
    if not all(throttle.allow(scope, limit, RETURN_EMAIL_WINDOW) for scope, limit in scopes):
        form.add_error(None, _("Too many e-mails were asked for from here. Try again in an hour."))
        return _private(render(request, "deliberation/return_email.html", context, status=429))
    for scope, _limit in scopes:
        throttle.fail(scope, RETURN_EMAIL_WINDOW)
    transaction.on_commit(lambda: tasks.send_return_link.enqueue(participant.pk, email, language), robust=True)
    if form.cleaned_data["follow"]:
        notify_services.follow_request(
            email=email, language=language, target=notify_services.Target(session=live), participant=participant
        )
        messages.success(
            request,
            _(
                "We are e-mailing your link to %(email)s. To hear what happens, confirm your address with the "
                "link in the other e-mail we are sending."
            )
            % {"email": email},
        )
    else:
        messages.success(request, _("We are e-mailing your link to %(email)s. We do not keep the address.") % {"email": email})
    return _back_to_keep_place(live)
