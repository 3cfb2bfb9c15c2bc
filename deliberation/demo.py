"""Demo live sessions for `manage.py load_demo`: one in progress to join, one with published results, one online
on a schedule, and one in each way to decide who may vote."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from deliberation import services
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor

LIVE_CODE = "K7MP4Q"
PAST_CODE = "RUTH34"
# One session in each of the other ways to decide who may vote (the live session above is open).
CARDS_CODE = "CERDYN"  # voting cards
SIGNIN_CODE = "BWRDD4"  # sign-in list: the board's members
ADMISSION_CODE = "DERBYN"  # the facilitator admits each person
ONLINE_CODE = "PYTHEW"  # online for a fortnight (pythefnos), then a scheduled vote
DEMO_CARDS = 40
DEMO_CODES = (LIVE_CODE, PAST_CODE, CARDS_CODE, SIGNIN_CODE, ADMISSION_CODE, ONLINE_CODE)

# Every word the board writes is in Welsh too (Welsh Language Standards): the English text and its Welsh.
WELSH = {
    "Rural transport: what should we try first?": "Trafnidiaeth wledig: beth ddylen ni roi cynnig arno gyntaf?",
    "Conwy and Denbighshire residents choose which transport pilot the board funds in 2027.": (
        "Trigolion Conwy a Sir Ddinbych sy’n dewis pa gynllun peilot trafnidiaeth y bydd y bwrdd yn ei ariannu yn 2027."
    ),
    "Your ideas": "Eich syniadau",
    "What would help you reach health services without a car?": (
        "Beth fyddai’n eich helpu i gyrraedd gwasanaethau iechyd heb gar?"
    ),
    "Discuss the ideas": "Trafod y syniadau",
    "Say what you like or worry about in each idea.": "Dywedwch beth sy’n apelio atoch neu’n eich poeni ym mhob syniad.",
    "Choose the pilot": "Dewis y cynllun peilot",
    "Rank the ideas: 1 for the one you want most.": "Rhowch y syniadau yn eu trefn: 1 i’r un rydych chi eisiau fwyaf.",
    "Ruthin workshop: transport priorities": "Gweithdy Rhuthun: blaenoriaethau trafnidiaeth",
    "A room of 23 residents, with paper ballots from those without a phone.": (
        "Ystafell o 23 o drigolion, gyda phapurau pleidleisio gan y rhai heb ffôn."
    ),
    "Ideas from the room": "Syniadau o’r ystafell",
    "Priorities": "Blaenoriaethau",
    "Rank the ideas.": "Rhowch y syniadau yn eu trefn.",
    "Llandudno town forum: transport pilot (voting cards)": (
        "Fforwm tref Llandudno: cynllun peilot trafnidiaeth (cardiau pleidleisio)"
    ),
    "Forty voting cards for the people in the room; each card votes once, online or on paper.": (
        "Deugain cerdyn pleidleisio i’r bobl yn yr ystafell; mae pob cerdyn yn pleidleisio unwaith, ar-lein neu ar bapur."
    ),
    "Board members: transport pilot shortlist (sign-in)": (
        "Aelodau’r bwrdd: rhestr fer y cynlluniau peilot trafnidiaeth (mewngofnodi)"
    ),
    "Only board members on the list, signed in, vote here.": (
        "Dim ond aelodau’r bwrdd sydd ar y rhestr, ar ôl mewngofnodi, sy’n pleidleisio yma."
    ),
    "Corwen village hall: transport pilot (admission)": "Neuadd bentref Corwen: cynllun peilot trafnidiaeth (derbyn)",
    "A small meeting: the facilitator admits each person who asks to join.": (
        "Cyfarfod bach: mae’r hwylusydd yn derbyn pob person sy’n gofyn am gael ymuno."
    ),
    "Prestatyn: a safer way to school (online, then a vote)": ("Prestatyn: ffordd fwy diogel i’r ysgol (ar-lein, yna pleidlais)"),
    "Ideas online for two weeks, then a vote that opens and closes on its own: take part when it suits you.": (
        "Syniadau ar-lein am bythefnos, yna pleidlais sy’n agor ac yn cau ar ei phen ei hun: "
        "cymerwch ran pan fydd yn gyfleus i chi."
    ),
    "Ideas for the school run": "Syniadau ar gyfer y daith i’r ysgol",
    "What would make walking or cycling to school safer?": "Beth fyddai’n gwneud cerdded neu feicio i’r ysgol yn fwy diogel?",
    "Choose what to try first": "Dewis beth i roi cynnig arno gyntaf",
    # Sessions still to come (issue 12), one on each of two boards.
    "Denbigh town hall: which transport pilot?": "Neuadd y dref Dinbych: pa gynllun peilot trafnidiaeth?",
    "An evening in the town hall: bring your ideas, talk them through and rank them, on a phone or on paper.": (
        "Noson yn neuadd y dref: dewch â’ch syniadau, trafodwch nhw a’u rhoi yn eu trefn, ar ffôn neu ar bapur."
    ),
    "Pontypridd: meeting your neighbours": "Pontypridd: cwrdd â’ch cymdogion",
    "A morning at the library: ideas first, then a ranked vote on what to try.": (
        "Bore yn y llyfrgell: syniadau yn gyntaf, yna pleidlais yn ôl trefn ar beth i roi cynnig arno."
    ),
    "Ideas for meeting neighbours": "Syniadau ar gyfer cwrdd â chymdogion",
    "What would help you meet the people who live near you?": (
        "Beth fyddai’n eich helpu i gwrdd â’r bobl sy’n byw yn agos atoch chi?"
    ),
}

# (author, title, details, the language it is written in)
PROPOSALS = [
    ("Megan", "A demand-responsive bus to GP surgeries", "Book by phone or app the day before, picks up at home.", "en"),
    ("Huw", "Community car scheme with volunteer drivers", "Mileage paid; drivers DBS-checked through the CVC.", "en"),
    ("", "Later buses on market days", "", "en"),
    ("Siân", "Bus and train tickets that work together", "One ticket for the Conwy Valley line and the buses.", "en"),
    ("Gareth", "Bws i’r feddygfa sy’n dod at y drws", "Yr un syniad â’r cyntaf, yn Gymraeg.", "cy"),
]
COMMENTS = [
    (0, "Megan", "for", "My mother misses appointments because the 11:05 bus is the only one."),
    (1, "Huw", "neutral", "How would the scheme find enough drivers in winter?"),
    (3, "", "for", "Yes — and let the ticket work on the Sherpa’r Wyddfa too."),
]


def _cy(text):
    """The Welsh of a demo text ("" for none)."""
    return WELSH.get(text, "") if text else ""


def _session(consultation, code, title, description):
    """A demo session with its title and description in English and Welsh."""
    return LiveSession.objects.create(
        consultation=consultation,
        code=code,
        title=title,
        title_cy=_cy(title),
        description=description,
        description_cy=_cy(description),
    )


def _rounds(session, specs):
    """Create the session's rounds from (kind, title, prompt, method, seats), each in English and Welsh."""
    for position, (kind, title, prompt, method, seats) in enumerate(specs, 1):
        Round.objects.create(
            session=session,
            kind=kind,
            title=title,
            title_cy=_cy(title),
            prompt=prompt,
            prompt_cy=_cy(prompt),
            position=position,
            method=method,
            seats=seats,
        )
    return {r.kind: r for r in session.rounds.all()}


def _add_missing_welsh():
    """Demo sessions loaded before their words were in Welsh get the Welsh (only where it is missing)."""
    for session in LiveSession.objects.filter(code__in=DEMO_CODES):
        for item, fields in [(session, ("title", "description"))] + [(r, ("title", "prompt")) for r in session.rounds.all()]:
            changed = [f"{f}_cy" for f in fields if not getattr(item, f"{f}_cy") and _cy(getattr(item, f))]
            for name in changed:
                setattr(item, name, _cy(getattr(item, name[:-3])))
            if changed:
                item.save(update_fields=changed)


def _propose(session, fac, round_id):
    """Demo participants put forward the proposals; return them with their authors."""
    made = []
    for name, title, body, language in PROPOSALS:
        participant = services.participant_join(session=session, display_name=name)
        actor = Actor(participant=participant)
        proposal = services.proposal_submit(
            actor=actor, session=session, round_id=round_id, title=title, body=body, language=language
        )
        made.append((actor, proposal))
    return made


def _live_session(consultation, facilitator):
    """A session in progress: proposals in, one merged, one hidden, the comment round open."""
    session = _session(
        consultation,
        LIVE_CODE,
        "Rural transport: what should we try first?",
        "Conwy and Denbighshire residents choose which transport pilot the board funds in 2027.",
    )
    session.facilitators.add(facilitator)
    fac = Actor(user=facilitator)
    rounds = _rounds(
        session,
        [
            ("proposal", "Your ideas", "What would help you reach health services without a car?", "irv", 1),
            ("comment", "Discuss the ideas", "Say what you like or worry about in each idea.", "irv", 1),
            ("vote", "Choose the pilot", "Rank the ideas: 1 for the one you want most.", "irv", 1),
        ],
    )
    services.round_open(actor=fac, session=session, round_id=rounds["proposal"].pk)
    made = _propose(session, fac, rounds["proposal"].pk)
    spam_author = Actor(participant=services.participant_join(session=session, display_name="Visitor"))
    spam = services.proposal_submit(
        actor=spam_author, session=session, round_id=rounds["proposal"].pk, title="Call 07700 900123 for cheap taxis"
    )
    services.proposal_hide(actor=fac, session=session, proposal_id=spam.pk, reason="Advertising or spam")
    services.proposal_merge(actor=fac, session=session, proposal_id=made[4][1].pk, into_id=made[0][1].pk)
    services.round_close(actor=fac, session=session, round_id=rounds["proposal"].pk)
    services.round_open(actor=fac, session=session, round_id=rounds["comment"].pk)
    for index, name, stance, body in COMMENTS:
        actor = next(a for a, _p in made if a.participant.display_name == name)
        services.comment_submit(
            actor=actor, session=session, round_id=rounds["comment"].pk, proposal_id=made[index][1].pk, body=body, stance=stance
        )
    return session


def _past_session(consultation, facilitator):
    """An ended workshop whose ranked vote is counted and published."""
    session = _session(
        consultation,
        PAST_CODE,
        "Ruthin workshop: transport priorities",
        "A room of 23 residents, with paper ballots from those without a phone.",
    )
    session.facilitators.add(facilitator)
    fac = Actor(user=facilitator)
    rounds = _rounds(
        session,
        [
            ("proposal", "Ideas from the room", "", "irv", 1),
            ("vote", "Priorities", "Rank the ideas.", "irv", 1),
        ],
    )
    services.round_open(actor=fac, session=session, round_id=rounds["proposal"].pk)
    ids = [p.pk for _a, p in _propose(session, fac, rounds["proposal"].pk)[:4]]
    services.round_close(actor=fac, session=session, round_id=rounds["proposal"].pk)
    services.round_open(actor=fac, session=session, round_id=rounds["vote"].pk)
    # 23 ballots: a real IRV count with two exclusions before a majority.
    patterns = [([0, 1], 7), ([1, 0], 5), ([3, 0], 4), ([2, 1], 3), ([3, 1, 0], 2), ([1], 2)]
    for order, weight in patterns:
        for _ in range(weight):
            services.ballot_enter_paper(actor=fac, session=session, round_id=rounds["vote"].pk, ranking=[ids[i] for i in order])
    services.round_close(actor=fac, session=session, round_id=rounds["vote"].pk)
    services.round_publish(actor=fac, session=session, round_id=rounds["vote"].pk)
    LiveSession.objects.filter(pk=session.pk).update(status=LiveSession.Status.ENDED)
    return session


def _online_session(consultation, facilitator):
    """Beyond the room: proposals open online for two weeks (closing by themselves), then a vote scheduled to open
    the next day and stay open a week; the facilitator reviews the count before publishing."""
    session = _session(
        consultation,
        ONLINE_CODE,
        "Prestatyn: a safer way to school (online, then a vote)",
        "Ideas online for two weeks, then a vote that opens and closes on its own: take part when it suits you.",
    )
    session.facilitators.add(facilitator)
    fac = Actor(user=facilitator)
    rounds = _rounds(
        session,
        [
            ("proposal", "Ideas for the school run", "What would make walking or cycling to school safer?", "irv", 1),
            ("vote", "Choose what to try first", "Rank the ideas: 1 for the one you want most.", "irv", 1),
        ],
    )
    two_weeks = 14 * 24 * 60
    services.round_open(actor=fac, session=session, round_id=rounds["proposal"].pk, minutes=two_weeks, auto_close=True)
    for name, title in (("Carys", "A crossing patrol on the High Street"), ("Owen", "Cycle parking at the gates")):
        actor = Actor(participant=services.participant_join(session=session, display_name=name))
        services.proposal_submit(actor=actor, session=session, round_id=rounds["proposal"].pk, title=title)
    ideas_close = Round.objects.get(pk=rounds["proposal"].pk).closes_at
    # The vote opens at 10:00 UK time the day after the ideas close, and stays open a week.
    opens = timezone.localtime(ideas_close + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    services.round_schedule(
        actor=fac, session=session, round_id=rounds["vote"].pk, opens_at=opens, closes_at=opens + timedelta(weeks=1)
    )
    return session


def _mode_session(consultation, facilitator, code, title, description, mode):
    """A session in `mode` with an open proposal round and a vote still to open."""
    session = _session(consultation, code, title, description)
    session.facilitators.add(facilitator)
    fac = Actor(user=facilitator)
    services.session_set_eligibility(actor=fac, session=session, mode=mode)
    rounds = _rounds(
        session,
        [
            ("proposal", "Your ideas", "What would help you reach health services without a car?", "irv", 1),
            ("vote", "Choose the pilot", "Rank the ideas: 1 for the one you want most.", "irv", 1),
        ],
    )
    services.round_open(actor=fac, session=session, round_id=rounds["proposal"].pk)
    return session, fac


def _cards_session(consultation, facilitator):
    """A town forum with printed voting cards: people without a card may watch, propose and comment."""
    session, fac = _mode_session(
        consultation,
        facilitator,
        CARDS_CODE,
        "Llandudno town forum: transport pilot (voting cards)",
        "Forty voting cards for the people in the room; each card votes once, online or on paper.",
        "cards",
    )
    services.cards_generate(actor=fac, session=session, count=DEMO_CARDS)


def _signin_session(consultation, facilitator):
    """The board members' own vote: only signed-in people on the list take part."""
    session, fac = _mode_session(
        consultation,
        facilitator,
        SIGNIN_CODE,
        "Board members: transport pilot shortlist (sign-in)",
        "Only board members on the list, signed in, vote here.",
        "signin",
    )
    users = get_user_model().objects.filter(username__in=["facilitator", "editor"])
    services.voters_set(actor=fac, session=session, usernames=sorted(u.get_username() for u in users))


def _admission_session(consultation, facilitator):
    """A small room where the facilitator admits each person: two still waiting, one admitted."""
    session, fac = _mode_session(
        consultation,
        facilitator,
        ADMISSION_CODE,
        "Corwen village hall: transport pilot (admission)",
        "A small meeting: the facilitator admits each person who asks to join.",
        "admission",
    )
    for name in ("Elen", "Dafydd", "Rhys"):
        services.participant_join(session=session, display_name=name)
    first = session.participants.order_by("pk").first()
    services.participant_admit(actor=fac, session=session, participant_id=first.pk)


def load_demo_sessions(*, consultation, facilitator):
    """Create the demo sessions once (a second run changes nothing); return lines for the console."""
    with transaction.atomic():
        if not LiveSession.objects.filter(code=LIVE_CODE).exists():
            _live_session(consultation, facilitator)
        if not LiveSession.objects.filter(code=PAST_CODE).exists():
            _past_session(consultation, facilitator)
        sessions = (
            (CARDS_CODE, _cards_session),
            (SIGNIN_CODE, _signin_session),
            (ADMISSION_CODE, _admission_session),
            (ONLINE_CODE, _online_session),
        )
        for code, make in sessions:
            if not LiveSession.objects.filter(code=code).exists():
                make(consultation, facilitator)
        _add_missing_welsh()
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")  # where `make run` serves (HOST, PORT)
    return [
        f"Live session in progress: join code {LIVE_CODE}",
        f"  citizens:     {base}/s/{LIVE_CODE}/  (or type the code at {base}/en/join/)",
        f"  facilitator:  {base}/en/s/{LIVE_CODE}/facilitate/",
        "  room screen:  'Open the presenter screen' in the console (its link carries the room's key)",
        f"Published results: {base}/en/s/{PAST_CODE}/",
        "Who may vote: one demo session in each mode (the live session above is open to anyone with the code)",
        f"  voting cards: {CARDS_CODE}  {base}/s/{CARDS_CODE}/  ({DEMO_CARDS} cards; "
        f"print them: {base}/en/s/{CARDS_CODE}/cards/)",
        f"  sign-in list: {SIGNIN_CODE}  {base}/s/{SIGNIN_CODE}/  (facilitator and editor are on the list)",
        f"  admission:    {ADMISSION_CODE}  {base}/s/{ADMISSION_CODE}/  (two people waiting in the console)",
        f"On a schedule: {ONLINE_CODE}  {base}/s/{ONLINE_CODE}/  (ideas online for two weeks, then a scheduled vote)",
    ]


# Sessions still to come, for the board pages' "Coming up" (issue 12): (code, title, description, rounds, days ahead, hour).
UPCOMING = (
    (
        "NEUADD",
        "Denbigh town hall: which transport pilot?",
        "An evening in the town hall: bring your ideas, talk them through and rank them, on a phone or on paper.",
        [
            ("proposal", "Your ideas", "What would help you reach health services without a car?", "irv", 1),
            ("vote", "Choose the pilot", "Rank the ideas: 1 for the one you want most.", "irv", 1),
        ],
        4,
        18,
    ),
    (
        "CWMTAF",
        "Pontypridd: meeting your neighbours",
        "A morning at the library: ideas first, then a ranked vote on what to try.",
        [
            ("proposal", "Ideas for meeting neighbours", "What would help you meet the people who live near you?", "irv", 1),
            ("vote", "Choose what to try first", "Rank the ideas: 1 for the one you want most.", "irv", 1),
        ],
        6,
        10,
    ),
)


def _days_ahead(days, hour):
    """`days` from today at `hour`:00 UK time."""
    return timezone.localtime(timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def load_upcoming_sessions(boards):
    """A scheduled session a few days ahead for each (consultation, facilitator or None) in `boards`, in UPCOMING's
    order. A second run changes nothing, unless a session's start has passed (a demo loaded long ago): then it moves
    a few days ahead again, so the board page still shows it. Return lines for the console."""
    lines = []
    with transaction.atomic():
        for (consultation, facilitator), (code, title, description, rounds, days, hour) in zip(boards, UPCOMING, strict=False):
            session = LiveSession.objects.filter(code=code).first()
            if session is None:
                session = _session(consultation, code, title, description)
                _rounds(session, rounds)
                if facilitator is not None:
                    session.facilitators.add(facilitator)
            if session.status == LiveSession.Status.SCHEDULED and (
                session.starts_at is None or session.starts_at <= timezone.now()
            ):
                session.starts_at = _days_ahead(days, hour)
                session.save(update_fields=["starts_at"])
            lines.append(f"Coming up: {code}  {session.title}, {timezone.localtime(session.starts_at):%d %B at %H:%M}")
    return lines
