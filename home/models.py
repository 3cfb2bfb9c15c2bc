"""Wagtail pages of Cyd: the home page, a Public Services Board, and a board's consultations."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

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
        """Add the board's consultations."""
        context = super().get_context(request, *args, **kwargs)
        context["consultations"] = self.consultations
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
        InlinePanel("outcome_updates", heading=_("You said, we did"), label=_("Update")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("question", boost=2),
        index.SearchField("intro"),
        index.SearchField("background"),
        index.SearchField("who_is_involved"),
        index.FilterField("stage"),
        index.RelatedFields("outcome_updates", [index.SearchField("you_said"), index.SearchField("we_did")]),
    ]

    parent_page_types = ["home.BoardPage"]
    subpage_types = []

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


class OutcomeUpdate(Orderable):
    """One “You said, we did” update: what people said and what the board decided or did about it."""

    page = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="outcome_updates")
    date = models.DateField(_("date"))
    you_said = models.TextField(_("what people said"))
    we_did = models.TextField(_("what the board decided or did"))
    partner = models.CharField(
        _("responsible partner"),
        max_length=255,
        blank=True,
        help_text=_("The partner organisation that is doing it, so people know whom to hold to account."),
    )

    panels = [FieldPanel("date"), FieldPanel("you_said"), FieldPanel("we_did"), FieldPanel("partner")]

    class Meta(Orderable.Meta):
        verbose_name = _("“You said, we did” update")
        verbose_name_plural = _("“You said, we did” updates")

    def __str__(self):
        return f"{self.date}: {self.you_said[:50]}"
