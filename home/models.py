"""Wagtail pages of Cyd: the home page, a Public Services Board, and a board's consultations."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index
from wagtail.signals import copy_for_translation_done

from deliberation.panels import LiveSessionsPanel
from home.blocks import SHORT_TEXT_FEATURES, BodyBlock, DocumentsBlock


class Stage(models.TextChoices):
    """Where a consultation is in its life: the CSS tag class is `tag--<value>`."""

    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    DECIDING = "deciding", _("Deciding")
    OUTCOME = "outcome", _("Outcome published")


# Listings show what people can act on first.
STAGE_ORDER = {Stage.OPEN: 0, Stage.UPCOMING: 1, Stage.DECIDING: 2, Stage.OUTCOME: 3}


def consultations_in_order(queryset):
    """Consultations sorted open first, then upcoming, deciding and decided; soonest closing first."""

    def key(consultation):
        when = consultation.closes or consultation.opens or consultation.decision_due or date.max
        return (STAGE_ORDER.get(consultation.stage, len(STAGE_ORDER)), when, consultation.title)

    return sorted(queryset, key=key)


class HomePage(Page):
    """What Cyd is for, the boards, and the consultations open now across every board."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences shown large at the top of the page."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.BoardPage"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        """Add the boards under this home page and the open consultations in this language."""
        context = super().get_context(request, *args, **kwargs)
        context["boards"] = BoardPage.objects.child_of(self).live().public()
        context["open_consultations"] = consultations_in_order(
            ConsultationPage.objects.live().public().filter(locale=self.locale, stage=Stage.OPEN).select_related("locale")
        )
        return context


class BoardPage(Page):
    """One Public Services Board, or a cluster of boards working together, and its consultations."""

    area = models.CharField(
        _("area"),
        max_length=255,
        help_text=_(
            "The local authority areas the board or cluster serves, for example “Carmarthenshire, Ceredigion and Pembrokeshire”."
        ),
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences on what the board does; also shown in the list of boards."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, help_text=_("Include the area code."))
    contact_address = models.TextField(_("contact address"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("area"),
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("partners", heading=_("Partner organisations"), label=_("Partner")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
                FieldPanel("contact_address"),
            ],
            heading=_("Contact"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("area", boost=2),
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("partners", [index.SearchField("name")]),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ConsultationPage"]

    class Meta:
        verbose_name = _("board page")
        verbose_name_plural = _("board pages")

    @property
    def consultations(self):
        """This board's live, public consultations, open ones first."""
        return consultations_in_order(ConsultationPage.objects.child_of(self).live().public())

    def get_context(self, request, *args, **kwargs):
        """Add the board's consultations and its sessions people can still come to: live now, or scheduled to start
        later (or at a time still to be announced); live ones first, then the soonest."""
        from django.utils import timezone

        from deliberation.models import LiveSession

        context = super().get_context(request, *args, **kwargs)
        context["consultations"] = self.consultations
        consultations = ConsultationPage.objects.child_of(self).live().public()
        context["has_commitments"] = Commitment.objects.filter(page__in=consultations).exists()  # offers the downloads
        # A session belongs to its consultation in every language: match the consultations' translations too.
        keys = consultations.values("translation_key")
        coming = Q(status=LiveSession.Status.SCHEDULED) & (Q(starts_at__gt=timezone.now()) | Q(starts_at__isnull=True))
        sessions = LiveSession.objects.filter(Q(status=LiveSession.Status.LIVE) | coming, consultation__translation_key__in=keys)
        sessions = sessions.order_by(F("starts_at").asc(nulls_last=True), "pk")
        context["upcoming_sessions"] = sorted(sessions, key=lambda s: s.status != LiveSession.Status.LIVE)
        return context


class BoardPartner(Orderable):
    """An organisation that is a member of, or works with, a board."""

    page = ParentalKey(BoardPage, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(
        _("role"),
        max_length=255,
        blank=True,
        help_text=_("For example “Statutory member”, “Invited participant” or “Chair”."),
    )
    link = models.URLField(_("website"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("link")]

    class Meta(Orderable.Meta):
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self):
        return self.name


def winning_proposal_ids(round_) -> list[int]:
    """The ids of the proposals a counted vote round chose, in the order the count chose them."""
    result = round_.result or {}
    names, ids = result.get("candidates") or [], result.get("proposal_ids") or []
    if len(names) != len(ids):
        # A result stored before the count kept proposal ids: name the candidates the way the count did.
        from deliberation.counting import candidate_names

        candidates = list(round_.ballot_proposals.order_by("pk"))
        names, ids = candidate_names(candidates), [p.pk for p in candidates]
    by_name = dict(zip(names, ids, strict=True))
    return [by_name[name] for name in result.get("winners") or [] if name in by_name]


def chosen_in_published_votes(page) -> dict:
    """{proposal id: vote round} for the proposals chosen in published votes of the live sessions of `page`
    (or of any translation of it: a session belongs to the consultation in every language)."""
    from deliberation.models import Round

    if page is None or page.pk is None:
        return {}
    rounds = Round.objects.filter(
        session__consultation__in=page.get_translations(inclusive=True),
        kind=Round.Kind.VOTE,
        state=Round.State.PUBLISHED,
    ).select_related("session")
    return {pk: round_ for round_ in rounds.order_by("published_at", "pk") for pk in winning_proposal_ids(round_)}


def chosen_proposals(page):
    """The proposals a commitment on `page` may answer: those chosen in the consultation's published votes."""
    from deliberation.models import Proposal

    return Proposal.objects.filter(pk__in=list(chosen_in_published_votes(page))).order_by("title", "pk")


class ConsultationPageForm(WagtailAdminPageForm):
    """The consultation editor: a commitment's partner is one of this board's, its proposal one chosen here."""

    def __init__(self, *args, **kwargs):
        """Offer only this board's partners and the proposals chosen in this consultation's published votes."""
        super().__init__(*args, **kwargs)
        formset = self.formsets.get("commitments")
        if formset is None:
            return
        board = self.parent_page
        partners = BoardPartner.objects.filter(page_id=board.pk if board else None)
        proposals = chosen_proposals(self.instance)
        base = formset.form

        class CommitmentForm(base):
            def __init__(form, *args, **kwargs):  # noqa: N805 - `self` is the page form around it
                super().__init__(*args, **kwargs)
                if "partner" in form.fields:
                    form.fields["partner"].queryset = partners
                if "proposal" in form.fields:
                    form.fields["proposal"].queryset = proposals

        # Set before the formset builds its forms (and its empty form for "Add commitment"), so every one is limited.
        formset.form = CommitmentForm


class ConsultationPage(Page):
    """A question a board puts to its communities, its stages and what came of it."""

    question = models.TextField(
        _("question"),
        help_text=_("The question put to communities, in plain words, as people will read it."),
    )
    intro = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("One or two sentences shown in lists of consultations."),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.UPCOMING)
    opens = models.DateField(_("opens"), null=True, blank=True)
    closes = models.DateField(_("closes"), null=True, blank=True)
    decision_due = models.DateField(
        _("decision due"),
        null=True,
        blank=True,
        help_text=_("When the board expects to decide and publish what it will do."),
    )
    background = StreamField(BodyBlock(), blank=True, verbose_name=_("background"))
    who_is_involved = RichTextField(
        _("who is involved"),
        features=SHORT_TEXT_FEATURES,
        blank=True,
        help_text=_("Who the board wants to hear from and which partners take part."),
    )
    documents = StreamField(DocumentsBlock(), blank=True, verbose_name=_("related documents"))

    content_panels = Page.content_panels + [
        FieldPanel("question"),
        FieldPanel("intro"),
        FieldPanel("stage"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens"), FieldPanel("closes"), FieldPanel("decision_due")])],
            heading=_("Key dates"),
        ),
        FieldPanel("background"),
        FieldPanel("who_is_involved"),
        FieldPanel("documents"),
        LiveSessionsPanel(),
        InlinePanel("commitments", heading=_("You said, we did: what the board commits to"), label=_("Commitment")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("question", boost=2),
        index.SearchField("intro"),
        index.SearchField("background"),
        index.SearchField("who_is_involved"),
        index.FilterField("stage"),
        index.RelatedFields("commitments", [index.SearchField("title"), index.SearchField("you_said")]),
    ]

    parent_page_types = ["home.BoardPage"]
    subpage_types = []
    base_form_class = ConsultationPageForm

    class Meta:
        verbose_name = _("consultation page")
        verbose_name_plural = _("consultation pages")

    def clean(self):
        """Key dates must be in order: opens, then closes, then the decision."""
        super().clean()
        errors = {}
        if self.opens and self.closes and self.closes < self.opens:
            errors["closes"] = _("The closing date must be on or after the opening date.")
        if self.closes and self.decision_due and self.decision_due < self.closes:
            errors["decision_due"] = _("The decision cannot be due before the consultation closes.")
        if errors:
            raise ValidationError(errors)


class CommitmentStatus(models.TextChoices):
    """Where a commitment is: the CSS tag class is `tag--<value>`, and the words always show with it."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DOING = "not_doing", _("Not doing")


class Commitment(ClusterableModel, Orderable):
    """What a board commits to after a consultation: who does it, how far it has got, and why not when it will not.

    Edited on the consultation page, so the Welsh translation of the page carries the Welsh words."""

    page = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="commitments")
    title = models.CharField(_("what the board commits to"), max_length=255)
    you_said = models.TextField(
        _("what people said"),
        blank=True,
        help_text=_("What people said that this answers. Leave empty when it answers a proposal chosen in a vote."),
    )
    proposal = models.ForeignKey(
        "deliberation.Proposal",
        verbose_name=_("proposal it answers"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text=_("A proposal chosen in a published vote of this consultation’s live sessions."),
    )
    partner = models.ForeignKey(
        BoardPartner,
        verbose_name=_("responsible partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text=_("The partner organisation that does it. Leave empty when the whole board does."),
    )
    status = models.CharField(_("status"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.PLANNED)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Required when the board is not doing it: say why, in plain words.")
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("you_said"),
        FieldPanel("proposal"),
        FieldPanel("partner"),
        FieldRowPanel([FieldPanel("status"), FieldPanel("target_date")]),
        FieldPanel("reason"),
        InlinePanel("updates", heading=_("Progress updates"), label=_("Progress update")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return self.title

    @property
    def board(self):
        """The board page whose partners may do this (the consultation page's parent), or None before it is placed."""
        page = self.page if self.page_id else None
        parent = page.get_parent() if page is not None and page.path else None
        return parent.specific if parent is not None else None

    def clean(self):
        """Not doing needs a reason; the partner is the page's board's; the proposal was chosen in this consultation."""
        super().clean()
        errors = {}
        if self.status == CommitmentStatus.NOT_DOING and not self.reason.strip():
            errors["reason"] = _("Say why the board is not doing this: people who asked for it deserve a reason.")
        board = self.board
        if board is not None and self.partner_id and self.partner.page_id != board.pk:
            errors["partner"] = _("Choose one of the partner organisations of %(board)s.") % {"board": board.title}
        if self.proposal_id and self.page_id and self.proposal_id not in chosen_in_published_votes(self.page):
            errors["proposal"] = _("Choose a proposal chosen in a published vote of this consultation’s live sessions.")
        if errors:
            raise ValidationError(errors)


class CommitmentUpdate(Orderable):
    """A dated progress update on a commitment."""

    commitment = ParentalKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    text = models.TextField(_("what happened"))

    panels = [FieldPanel("date"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self):
        return f"{self.date}: {self.text[:50]}"


def _same_partner(partner, partners):
    """The partner in `partners` (another board page's, in order) that stands for `partner`: same website, else same place."""
    if partner.link:
        same_link = [candidate for candidate in partners if candidate.link == partner.link]
        if len(same_link) == 1:
            return same_link[0]
    theirs = list(BoardPartner.objects.filter(page_id=partner.page_id).order_by("sort_order", "pk"))
    index = theirs.index(partner) if partner in theirs else len(partners)
    return partners[index] if index < len(partners) else None


@receiver(copy_for_translation_done)
def use_own_board_partners(sender, source_obj, target_obj, **kwargs):
    """A consultation copied into Welsh points its commitments at the Welsh board's partners, not the English ones."""
    page = getattr(target_obj, "specific", None)
    if not isinstance(page, ConsultationPage):
        return
    partners = list(BoardPartner.objects.filter(page=page.get_parent()).order_by("sort_order", "pk"))
    moved = False
    for commitment in page.commitments.select_related("partner"):
        if commitment.partner is not None and commitment.partner.page_id != page.get_parent().pk:
            commitment.partner = _same_partner(commitment.partner, partners)
            commitment.save(update_fields=["partner"])
            moved = True
    if moved and page.latest_revision is not None:
        # The copy's draft revision is what the editor opens: it must name the same partners.
        page.latest_revision.content = page.serializable_data()
        page.latest_revision.save(update_fields=["content"])


# --- Translations that cannot silently drift ------------------------------------------------------


def source_locale():
    """The locale translations are made from: the site's default language (English)."""
    return Locale.get_default()


def out_of_date_translations(pages=None):
    """Translated pages whose source-language page was published after them (or that were never published),
    annotated with `source_id` and `source_published_at`, oldest first."""
    source = Page.objects.filter(translation_key=OuterRef("translation_key"), locale=source_locale(), live=True)
    pages = Page.objects.all() if pages is None else pages
    return (
        pages.exclude(locale=source_locale())
        .annotate(
            source_id=Subquery(source.values("pk")[:1]),
            source_published_at=Subquery(source.values("last_published_at")[:1]),
        )
        .filter(source_published_at__isnull=False)
        .filter(Q(last_published_at__isnull=True) | Q(last_published_at__lt=F("source_published_at")))
        .order_by("last_published_at", "pk")
    )


def translation_drift(page):
    """For a translated page whose source page was published after it: the live source page; otherwise None."""
    if page is None or page.pk is None or page.locale_id == source_locale().pk:
        return None
    source = page.get_translation_or_none(source_locale())
    if source is None or not source.live or source.last_published_at is None:
        return None
    if page.last_published_at is not None and page.last_published_at >= source.last_published_at:
        return None
    return source
