"""Every permission of the live module, as a policy table of django-rules predicates.

Predicates take an `Actor` (who is acting: a user, a participant, or both) and the session,
round or contribution acted on. Consumers, views and services ask `can(actor, PERM, obj)`; only
this module decides. Round *state* (open, closed...) is not a permission: services check it and
answer with their own error codes.
"""

from dataclasses import dataclass

import rules

from deliberation.identity import presenter_session_id
from deliberation.models import LiveSession, Participant, VotingCard

# Permission names, used by services, views, templates and the tests.
VIEW_SESSION = "deliberation.view_session"
SUBMIT_PROPOSAL = "deliberation.submit_proposal"
SUBMIT_COMMENT = "deliberation.submit_comment"
CAST_BALLOT = "deliberation.cast_ballot"
FLAG_CONTRIBUTION = "deliberation.flag_contribution"
RENAME_SELF = "deliberation.rename_self"
PREPARE_ROUNDS = "deliberation.prepare_rounds"
RUN_ROUNDS = "deliberation.run_rounds"
MODERATE = "deliberation.moderate"
ENTER_PAPER_BALLOT = "deliberation.enter_paper_ballot"
VIEW_FACILITATOR_DATA = "deliberation.view_facilitator_data"
VIEW_AUDIT_LOG = "deliberation.view_audit_log"
MANAGE_ELIGIBILITY = "deliberation.manage_eligibility"
KEEP_PLACE = "deliberation.keep_place"  # see, e-mail and replace one's own return link: obj is the participant
# Authoring in the Wagtail admin (the live-session permission policy in wagtail_hooks.py asks these):
AUTHOR_SESSION = "deliberation.author_session"  # list, edit, duplicate a session: obj is the session
AUTHOR_SESSION_FOR = "deliberation.author_session_for"  # attach a session to obj, a consultation page (None: none)

ALL_PERMISSIONS = [
    VIEW_SESSION,
    SUBMIT_PROPOSAL,
    SUBMIT_COMMENT,
    CAST_BALLOT,
    FLAG_CONTRIBUTION,
    RENAME_SELF,
    PREPARE_ROUNDS,
    RUN_ROUNDS,
    MODERATE,
    ENTER_PAPER_BALLOT,
    VIEW_FACILITATOR_DATA,
    VIEW_AUDIT_LOG,
    MANAGE_ELIGIBILITY,
    KEEP_PLACE,
    AUTHOR_SESSION,
    AUTHOR_SESSION_FOR,
]


@dataclass(frozen=True)
class Actor:
    """Who is acting: a Django user (maybe anonymous), a joined participant, or both."""

    user: object = None
    participant: object = None
    presenter_for: int | None = None  # a session whose room screen this is (read-only)
    system: bool = False  # the server itself, e.g. the worker closing a round when its timer runs out

    @property
    def user_id(self):
        """The acting user's id, or None when not signed in."""
        user = self.user
        return user.pk if user is not None and user.is_authenticated else None


def actor_for(
    *, user=None, session_id: int | None = None, participant_id: int | None = None, presenter_key: str | None = None
) -> Actor:
    """Who is acting, as a page, a form post or a socket frame knows it; the one place an Actor is built from them.

    The user is whoever the request or socket says; the participant is read fresh from the database (from the id this
    browser holds, of the session `session_id` when given); a room screen's presenter key names the one session it
    may watch (None when missing, forged, rotated or ended).
    """
    participant = None
    if participant_id:
        participants = Participant.objects.filter(pk=participant_id)
        if session_id is not None:
            participants = participants.filter(session_id=session_id)
        participant = participants.first()
    return Actor(user=user, participant=participant, presenter_for=presenter_session_id(presenter_key))


def _session_id(obj):
    """The id of the session that a session, round, participant, proposal or comment belongs to."""
    if isinstance(obj, LiveSession):
        return obj.pk
    if hasattr(obj, "session_id"):
        return obj.session_id
    return obj.round.session_id


@rules.predicate
def is_signed_in(actor, obj=None):
    """The actor is a signed-in, active user."""
    return actor.user_id is not None and actor.user.is_active


@rules.predicate
def is_session_facilitator(actor, obj):
    """The actor is one of the facilitators of the session that `obj` belongs to."""
    if actor.user_id is None or obj is None:
        return False
    return LiveSession.facilitators.through.objects.filter(livesession_id=_session_id(obj), user_id=actor.user_id).exists()


@rules.predicate
def is_session_participant(actor, obj):
    """The actor has joined the session that `obj` belongs to."""
    participant = actor.participant
    return participant is not None and obj is not None and participant.session_id == _session_id(obj)


def _session_of(obj):
    """The session that `obj` belongs to (the object itself when it is one: services pass the locked row)."""
    return obj if isinstance(obj, LiveSession) else LiveSession.objects.get(pk=_session_id(obj))


def _has_card(participant):
    """The participant holds a voting card (of their own session: a card admits to one session only)."""
    return VotingCard.objects.filter(participant=participant, session_id=participant.session_id).exists()


def _on_list(participant, session):
    """The participant is a signed-in user on the session's sign-in list."""
    return participant.user_id is not None and session.voters.filter(pk=participant.user_id).exists()


@rules.predicate
def is_admitted(actor, obj=None):
    """The actor is a participant the facilitator has not refused or left waiting (admission mode)."""
    return actor.participant is not None and actor.participant.admission == Participant.Admission.ADMITTED


@rules.predicate
def is_eligible_voter(actor, obj):
    """The actor may vote under the session's mode: open/admission any admitted; cards a card; sign-in the list."""
    if obj is None or not is_admitted(actor, obj):
        return False
    return ineligibility(actor.participant, _session_of(obj)) == ""


@rules.predicate
def may_contribute(actor, obj):
    """The actor may propose, comment and flag: an eligible voter, or anyone admitted if the session allows it."""
    if obj is None or not is_admitted(actor, obj):
        return False
    session = _session_of(obj)
    return session.uncarded_may_contribute or ineligibility(actor.participant, session) == ""


def ineligibility(participant, session):
    """Why this participant may not vote in this session: "not_admitted", "no_card", "not_on_list", or "" (may)."""
    if participant is None:
        return "not_joined"
    if participant.admission != Participant.Admission.ADMITTED:
        return "not_admitted"
    if session.eligibility == LiveSession.Eligibility.CARDS and not _has_card(participant):
        return "no_card"
    if session.eligibility == LiveSession.Eligibility.SIGNIN and not _on_list(participant, session):
        return "not_on_list"
    return ""


@rules.predicate
def is_own_walk_in(actor, obj):
    """The actor is the participant `obj`, joined without an account (who has one comes back by signing in)."""
    participant = actor.participant
    return participant is not None and isinstance(obj, Participant) and obj.pk == participant.pk and obj.user_id is None


@rules.predicate
def is_session_presenter(actor, obj):
    """The actor is a room screen opened with the session's presenter key."""
    return actor.presenter_for is not None and obj is not None and actor.presenter_for == _session_id(obj)


@rules.predicate
def is_system(actor, obj=None):
    """The actor is the server itself (the worker that closes rounds on time), never a person."""
    return actor.system


@rules.predicate
def is_board_editor(actor, obj):
    """The actor may edit the consultation page the session is attached to (Wagtail page permission)."""
    if actor.user_id is None or obj is None:
        return False
    session = LiveSession.objects.select_related("consultation").get(pk=_session_id(obj))
    page = session.consultation
    return page is not None and page.permissions_for_user(actor.user).can_edit()


def is_site_session_author(user):
    """The user authors sessions of every board: an active superuser, or given the live-session permission directly.

    Board editors hold the model permissions through their board's group, which scopes them to that board;
    a permission given on the user record itself (Settings > Users) is a site-wide grant.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_cyd_site_session_author"):
        user._cyd_site_session_author = user.user_permissions.filter(
            content_type__app_label="deliberation", codename="change_livesession"
        ).exists()
    return user._cyd_site_session_author


@rules.predicate
def may_author_for_consultation(actor, consultation):
    """The actor may attach sessions to this consultation: it is under a board whose pages they may edit.

    The board is the consultation's BoardPage ancestor; a board editor's page permissions cover the board page
    and its Welsh translation, so a Welsh consultation belongs to the same board. Only site-wide authors may
    leave a session attached to no consultation. Either way the actor must hold the live-session model
    permission (board editors' groups have it: home/permissions.py).
    """
    if actor.user_id is None or not actor.user.is_active or not actor.user.has_perm("deliberation.change_livesession"):
        return False
    if is_site_session_author(actor.user):
        return True
    return consultation is not None and consultation.permissions_for_user(actor.user).can_edit()


@rules.predicate
def may_author_session(actor, obj):
    """The actor may list, edit and duplicate the session: they may author sessions for its consultation."""
    if obj is None:
        return False
    session = _session_of(obj)
    return may_author_for_consultation(actor, session.consultation)


def _editable_pages(user):
    """The pages `user` may edit (Wagtail page permissions: a board editor's board, both languages, and below)."""
    from wagtail.models import Page
    from wagtail.permission_policies.pages import PagePermissionPolicy

    if user is None or not user.is_authenticated or not user.is_active:
        return Page.objects.none()
    return PagePermissionPolicy().instances_user_has_permission_for(user, "change")


def consultations_authored_by(user):
    """The consultation pages (both languages) that `user` may attach sessions to."""
    from home.models import ConsultationPage

    pages = ConsultationPage.objects.all()
    if is_site_session_author(user):
        return pages
    return pages.filter(pk__in=_editable_pages(user).values("pk"))


def sessions_authored_by(user):
    """The sessions `user` may author in the admin: every one for site-wide authors, else their boards' sessions."""
    if is_site_session_author(user):
        return LiveSession.objects.all()
    return LiveSession.objects.filter(consultation__in=consultations_authored_by(user).values("pk"))


def board_of(page):
    """The BoardPage a consultation page (in either language) is under, or None."""
    from home.models import BoardPage

    return None if page is None else BoardPage.objects.ancestor_of(page).first()


def facilitator_candidates(user, consultation=None):
    """Who may be chosen to facilitate a session: the board's facilitators and editors groups' members.

    The board is the consultation's; without one, the boards whose pages `user` may edit. A session attached
    to no board (only site-wide authors make those) may be facilitated by any active user.
    """
    from django.contrib.auth import get_user_model

    from home.models import BoardPage
    from home.permissions import board_editors_group_name, board_facilitators_group_name

    if consultation is not None:
        boards = [board_of(consultation)]
    elif is_site_session_author(user):
        boards = []
    else:
        boards = list(BoardPage.objects.filter(pk__in=_editable_pages(user).values("pk")))
    users = get_user_model().objects.filter(is_active=True)
    boards = [board for board in boards if board is not None]
    if not boards:
        return users if consultation is None and is_site_session_author(user) else users.none()
    names = {name(board) for board in boards for name in (board_editors_group_name, board_facilitators_group_name)}
    return users.filter(groups__name__in=names).distinct()


# The policy table.
rules.add_perm(VIEW_SESSION, (is_session_participant & is_admitted) | is_session_facilitator | is_session_presenter)
rules.add_perm(SUBMIT_PROPOSAL, is_session_participant & may_contribute)
rules.add_perm(SUBMIT_COMMENT, is_session_participant & may_contribute)
rules.add_perm(CAST_BALLOT, is_session_participant & is_eligible_voter)
rules.add_perm(FLAG_CONTRIBUTION, is_session_participant & may_contribute)
rules.add_perm(RENAME_SELF, is_session_participant)
rules.add_perm(PREPARE_ROUNDS, is_signed_in & is_session_facilitator)
rules.add_perm(RUN_ROUNDS, (is_signed_in & is_session_facilitator) | is_system)
rules.add_perm(MODERATE, is_signed_in & is_session_facilitator)
rules.add_perm(ENTER_PAPER_BALLOT, is_signed_in & is_session_facilitator)
rules.add_perm(VIEW_FACILITATOR_DATA, is_signed_in & is_session_facilitator)
rules.add_perm(VIEW_AUDIT_LOG, is_signed_in & (is_session_facilitator | is_board_editor))
# Set the mode, keep the sign-in list, generate cards, admit or refuse: whoever prepares or runs the session.
rules.add_perm(MANAGE_ELIGIBILITY, is_signed_in & (is_session_facilitator | is_board_editor))
# A walk-in's own return link ("keep my place"): only theirs, once admitted.
rules.add_perm(KEEP_PLACE, is_own_walk_in & is_admitted)
# Author sessions in the admin: superusers and site-wide authors every session, board editors their board's.
rules.add_perm(AUTHOR_SESSION, is_signed_in & may_author_session)
rules.add_perm(AUTHOR_SESSION_FOR, is_signed_in & may_author_for_consultation)


def can(actor, permission, obj=None):
    """Ask the policy table whether `actor` holds `permission` on `obj`."""
    return rules.has_perm(permission, actor, obj)


# Permissions only a joined participant can hold: a refusal says what is missing rather than "forbidden".
PARTICIPANT_ONLY = frozenset({SUBMIT_PROPOSAL, SUBMIT_COMMENT, CAST_BALLOT, FLAG_CONTRIBUTION, RENAME_SELF, KEEP_PLACE})


def refusal(actor: Actor, permission: str, obj=None) -> str:
    """Why `actor` may not use `permission` on `obj` (an error code), or "" when the policy table allows it."""
    if can(actor, permission, obj):
        return ""
    if permission in PARTICIPANT_ONLY:
        if actor.participant is None:
            return "not_joined"
        if is_session_participant(actor, obj):
            # A joined participant refused by eligibility is told why (no card, not on the list, not admitted).
            return ineligibility(actor.participant, _session_of(obj)) or "forbidden"
    return "forbidden"
