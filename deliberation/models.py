"""Data of the live module: sessions, rounds, participants, contributions, ballots and the event log."""

import secrets
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel

from deliberation.forms_admin import LiveSessionAdminForm
from deliberation.text import CONTENT_LANGUAGES, Shown

# No 0/O, 1/I/L, 5/S or 2/Z: codes are read aloud in halls and typed on phones.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
JOIN_CODE_LENGTH = 6
TITLE_MAX = 140
BODY_MAX = 1000
COMMENT_MAX = 1000
NAME_MAX = 60
REASON_MAX = 200
# Preset public reasons for hiding, stored as their code so each viewer reads them in their language.
HIDE_REASONS = {
    "personal": _("Personal information"),
    "offensive": _("Offensive or abusive"),
    "off_topic": _("Off topic"),
    "spam": _("Advertising or spam"),
}


class RoundsPanel(InlinePanel):
    """The session's rounds in the admin, with a form that leaves opened rounds to the console."""

    def get_form_options(self):
        """Use RoundAdminForm for each round."""
        from deliberation.forms_admin import RoundAdminForm

        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = RoundAdminForm
        return options


def new_join_code():
    """A random join code from the unambiguous alphabet."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_receipt():
    """A short random receipt code a voter can check against the published list."""
    return "-".join("".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(4)) for _ in range(3))


def new_card_code():
    """A voting card's single-use code: 12 characters (27^12, about 1.5e17 codes), printed as XXXX-XXXX-XXXX."""
    return new_receipt()


def normalise_code(text):
    """A receipt or card code as printed (ABCD-EFGH-JKMN), whatever the case, spaces or hyphens it was typed with."""
    code = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if len(code) == 12 else code


class LiveSession(ClusterableModel):
    """A live, facilitated session of rounds, attached to a consultation page."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    class Eligibility(models.TextChoices):
        OPEN = "open", _("Open: anyone with the code (not verified)")
        CARDS = "cards", _("Voting cards: one single-use card per person")
        SIGNIN = "signin", _("Sign-in: only people on the session's list")
        ADMISSION = "admission", _("Admission: the facilitator admits each person")

    consultation = models.ForeignKey(
        "home.ConsultationPage",
        verbose_name=_("consultation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_sessions",
    )
    # What the board writes, in English and in Welsh: each reader sees their page's language (deliberation/text.py).
    title = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    description = models.TextField(
        _("description in English"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    description_cy = models.TextField(
        _("description in Welsh"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="facilitated_sessions"
    )
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    # The seq of the last event everyone may see: public events carry it as `prev`, so a citizen checks its stream
    # for gaps without receiving a frame for every facilitator-only event (docs/protocol.md).
    last_public_seq = models.PositiveIntegerField(default=0, editable=False)
    eligibility = models.CharField(
        _("who may vote"),
        max_length=12,
        choices=Eligibility.choices,
        default=Eligibility.OPEN,
        help_text=_("Cannot change once a vote round has opened or a ballot has been cast."),
    )
    uncarded_may_contribute = models.BooleanField(
        _("people without a card or not on the list may still propose and comment"),
        default=True,
        help_text=_("They can always watch; only eligible people vote."),
    )
    voters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people on the sign-in list"),
        blank=True,
        related_name="voter_in_sessions",
    )
    double_entry = models.BooleanField(
        _("paper slips are typed twice"),
        default=False,
        help_text=_("Two people type the same pile; every difference is shown before the round can be published."),
    )
    # Bumped when the facilitator rotates the room screen's key: older keys stop working.
    presenter_key_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("title_cy"),
                FieldPanel("description"),
                FieldPanel("description_cy"),
                PageChooserPanel("consultation", "home.ConsultationPage"),
            ],
            heading=_("What the session is about"),
        ),
        MultiFieldPanel(
            [FieldPanel("language"), FieldPanel("starts_at"), FieldPanel("facilitators")],
            heading=_("When and who runs it"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("eligibility", widget=forms.RadioSelect),
                FieldPanel("uncarded_may_contribute"),
                FieldPanel("double_entry"),
                FieldPanel("voters", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Who may vote"),
        ),
        RoundsPanel("rounds", heading=_("Run of show"), label=_("round")),
    ]
    base_form_class = LiveSessionAdminForm  # refuses changing who may vote once locked; warns of missing Welsh

    # The text in the reader's language, falling back to the other one (a str knowing its `lang`).
    shown_title = Shown("title")
    shown_description = Shown("description")

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} ({self.code})"

    def get_absolute_url(self):
        """The join link people follow or scan."""
        return reverse("session", args=[self.code])


class Round(models.Model):
    """One facilitated step of a session: proposals, comments or a ranked vote."""

    # Wagtail indexes every saved model with a foreign key for its "usage" reports, one task per save: for live
    # records (rounds, proposals, ballots, events ...) that was a fifth of a busy session's database time, and they
    # name no page, image or document. The session itself stays indexed (it names its consultation page).
    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposals")
        COMMENT = "comment", _("Comments")
        VOTE = "vote", _("Ranked vote")

    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Results published")

    class Method(models.TextChoices):
        IRV = "irv", _("Instant runoff (one winner)")
        STV = "stv", _("Single transferable vote (several winners)")
        SCHULZE = "schulze", _("Schulze (Condorcet ranking)")
        BORDA = "borda", _("Borda count (points)")

    session = ParentalKey(LiveSession, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    prompt = models.TextField(_("what to do, in English"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    prompt_cy = models.TextField(_("what to do, in Welsh"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    position = models.PositiveIntegerField(_("position"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # A round on a schedule (docs/protocol.md, `round.schedule`): the server opens it at `opens_at` and, with
    # `auto_close`, closes it at `closes_at`; a scheduled draft is announced to participants.
    opens_at = models.DateTimeField(
        _("opens at"), null=True, blank=True, help_text=_("The server opens the round at this time (UK time).")
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    auto_publish = models.BooleanField(
        _("publish the result automatically"),
        default=False,
        help_text=_("A vote's result is published as soon as it is counted at close, without a facilitator's review."),
    )
    auto_close = models.BooleanField(
        _("close automatically when time is up"),
        default=False,
        help_text=_("The server closes (and counts) the round when its timer runs out."),
    )
    max_per_participant = models.PositiveSmallIntegerField(
        _("proposals per participant"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    method = models.CharField(_("counting method"), max_length=10, choices=Method.choices, default=Method.IRV)
    seats = models.PositiveSmallIntegerField(_("winners"), default=1)
    ballot_proposals = models.ManyToManyField(
        "Proposal", verbose_name=_("proposals on the ballot"), blank=True, related_name="on_ballots"
    )
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("title_cy"),
        FieldPanel("prompt"),
        FieldPanel("prompt_cy"),
        FieldPanel("max_per_participant"),
        FieldPanel("method"),
        FieldPanel("seats"),
        FieldPanel("opens_at"),
        FieldPanel("closes_at"),
        FieldPanel("auto_publish"),
    ]

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["position", "id"]

    shown_title = Shown("title")
    shown_prompt = Shown("prompt")

    def __str__(self):
        return self.title

    def clean(self):
        """A vote being prepared must be countable: its method elects that many winners from its ballot."""
        from deliberation.counting import seats_problem  # counting imports the models: loaded at call time

        if self.kind != self.Kind.VOTE or self.state != self.State.DRAFT:
            return  # a round that has opened changes only through the console's logged recount
        on_ballot = self.ballot_proposals.count() if self.pk else None
        problem = seats_problem(self.method, self.seats, on_ballot)
        if problem:
            raise ValidationError({"seats": problem})


class Participant(models.Model):
    """A person taking part: a walk-in with a browser identity, or a signed-in user."""

    wagtail_reference_index_ignore = True  # see Round

    class Admission(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        PENDING = "pending", _("Waiting to be admitted")
        REFUSED = "refused", _("Not admitted")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("display name"), max_length=NAME_MAX, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    admission = models.CharField(max_length=10, choices=Admission.choices, default=Admission.ADMITTED)
    # A salted hash of the address and browser, so open-mode results can say how many devices took part.
    device = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], condition=Q(user__isnull=False), name="one_participant_per_user")
        ]

    def __str__(self):
        return self.display_name or f"#{self.pk}"


class Contribution(models.Model):
    """What proposals and comments share: an author, moderation in the open, and an idempotency ref."""

    wagtail_reference_index_ignore = True  # see Round

    author = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL)
    author_name = models.CharField(max_length=NAME_MAX, blank=True)
    client_ref = models.CharField(max_length=64, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True)
    # The language it is written in, so every page marks it with lang="cy"/"en" (WCAG 3.1.2).
    language = models.CharField(_("written in"), max_length=2, choices=CONTENT_LANGUAGES, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Proposal(Contribution):
    """An idea put forward in a proposal round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("proposal"), max_length=TITLE_MAX)
    body = models.TextField(_("details"), max_length=BODY_MAX, blank=True, validators=[MaxLengthValidator(BODY_MAX)])
    original_title = models.CharField(max_length=TITLE_MAX, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_ref"], condition=~Q(client_ref=""), name="proposal_ref_once")
        ]

    def __str__(self):
        return self.title


class Comment(Contribution):
    """A comment on a proposal in a comment round, with an optional stance and one level of replies."""

    class Stance(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        NEUTRAL = "neutral", _("Neutral")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("comment"), max_length=COMMENT_MAX, validators=[MaxLengthValidator(COMMENT_MAX)])
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, blank=True)
    # Where a comment was written, when a merge moved it to the kept proposal (so a merge can be undone).
    moved_from = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments_moved_away")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_ref"], condition=~Q(client_ref=""), name="comment_ref_once")
        ]

    def __str__(self):
        return self.body[:60]


class Ballot(models.Model):
    """One ranked ballot: a participant's (one per round, changeable while open) or a paper slip."""

    wagtail_reference_index_ignore = True  # see Round

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE)
    ranking = models.JSONField(default=list)
    receipt = models.CharField(max_length=20, unique=True, default=new_receipt, editable=False)
    is_paper = models.BooleanField(default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    client_ref = models.CharField(max_length=64, blank=True)
    cast_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A paper slip typed in error is voided (kept, with the reason, and left out of the count).
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="voided_ballots"
    )
    void_reason = models.CharField(max_length=REASON_MAX, blank=True)
    # The voting card this ballot was cast with (online: the participant's card; paper: the card on the slip).
    card = models.ForeignKey("VotingCard", null=True, blank=True, on_delete=models.PROTECT, related_name="ballots")
    slip_number = models.PositiveIntegerField(null=True, blank=True)  # paper slips, numbered per round as entered
    entry_pass = models.PositiveSmallIntegerField(default=1)  # double entry: pass 2 is the checking copy, never counted

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant"], condition=Q(participant__isnull=False), name="one_ballot_per_round"
            ),
            models.UniqueConstraint(
                fields=["round", "card"],
                condition=Q(card__isnull=False, entry_pass=1, voided_at__isnull=True),
                name="one_ballot_per_card",
            ),
            models.UniqueConstraint(
                fields=["round", "slip_number", "entry_pass"],
                condition=Q(is_paper=True, slip_number__isnull=False),
                name="one_slip_number_per_pass",
            ),
            models.UniqueConstraint(
                fields=["round", "entered_by", "client_ref"],
                condition=Q(is_paper=True) & ~Q(client_ref=""),
                name="paper_ballot_ref_once",
            ),
        ]

    def __str__(self):
        return self.receipt


class VotingCard(models.Model):
    """A single-use voting card: it admits one participant, who votes with it (online, or on paper once)."""

    wagtail_reference_index_ignore = True  # see Round

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="cards")
    number = models.PositiveIntegerField()
    code = models.CharField(max_length=20, unique=True, default=new_card_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    participant = models.OneToOneField(Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="card")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="one_card_number_per_session")]

    def __str__(self):
        return f"card {self.number}"


class Flag(models.Model):
    """A participant's request that a facilitator look at a contribution."""

    wagtail_reference_index_ignore = True  # see Round

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="flags")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE)
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.CASCADE)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "proposal"], name="flag_proposal_once"),
            models.UniqueConstraint(fields=["participant", "comment"], name="flag_comment_once"),
        ]

    def __str__(self):
        return f"flag {self.pk}"


class Event(models.Model):
    """The event log: every state change with its per-session seq; the audit log and resync source."""

    wagtail_reference_index_ignore = True  # see Round

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone")
        FACILITATORS = "facilitators", _("Facilitators")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.ALL)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="one_event_per_seq")]

    def __str__(self):
        return f"{self.seq} {self.type}"

    def as_message(self):
        """The event as clients receive it."""
        return {"type": self.type, "seq": self.seq, "payload": self.payload}


class Presence(models.Model):
    """One open socket on a session, so every process can count who is connected now."""

    wagtail_reference_index_ignore = True  # see Round

    channel_name = models.CharField(max_length=200, unique=True)
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="presences")
    # Presence counts people, not sockets: one participant (or facilitator) with many tabs is one.
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    facilitator = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    def __str__(self):
        return self.channel_name
