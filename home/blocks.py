"""StreamField blocks editors use in page bodies: text, media, documents, callouts, timelines."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.embeds import get_embed
from wagtail.embeds.exceptions import EmbedException
from wagtail.images.blocks import ImageBlock

# Headings start at h2 (the page title is the only h1); h4 is for sub-sections inside a block.
RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]
SHORT_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class FigureBlock(blocks.StructBlock):
    """An image with its alt text and an optional caption."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    class Meta:
        icon = "image"
        label = _("Image")
        template = "home/blocks/figure.html"


class DocumentBlock(blocks.StructBlock):
    """A link to a document, with its file type and size shown so people know what they will get."""

    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(
        required=False,
        label=_("Description"),
        help_text=_("One sentence on what the document is, for people deciding whether to open it."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "home/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    """A highlighted box for something people must not miss."""

    style = blocks.ChoiceBlock(
        choices=[
            ("default", _("Note")),
            ("info", _("Information")),
            ("warning", _("Important")),
        ],
        default="default",
        label=_("Style"),
    )
    heading = blocks.CharBlock(label=_("Heading"))
    text = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES, label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "home/blocks/callout.html"


class VideoBlock(blocks.StructBlock):
    """A video from YouTube or Vimeo, with a title for screen readers and a link if it cannot load."""

    video = EmbedBlock(label=_("Video address"), help_text=_("A YouTube or Vimeo web address."))
    title = blocks.CharBlock(
        label=_("Title"),
        help_text=_("What the video is about; read out by screen readers and used for the link."),
    )
    caption = blocks.CharBlock(
        required=False,
        label=_("Caption"),
        help_text=_("For example, where to find a transcript or a Welsh-language version."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "home/blocks/video.html"

    def get_context(self, value, parent_context=None):
        """Fetch the provider's player HTML without Wagtail's inline-styled wrapper (our CSP forbids it)."""
        context = super().get_context(value, parent_context=parent_context)
        context["embed_html"] = ""
        if value and value.get("video"):
            try:
                context["embed_html"] = get_embed(value["video"].url).html
            except EmbedException:
                # An unreachable provider must not break the page; the link below still works.
                pass
        return context


class TimelineStageBlock(blocks.StructBlock):
    """One stage of an engagement: when, what, and a short description."""

    date = blocks.DateBlock(label=_("Date"))
    label = blocks.CharBlock(label=_("Stage"))
    description = blocks.TextBlock(required=False, label=_("Description"))

    class Meta:
        icon = "date"
        label = _("Stage")


class TimelineBlock(blocks.StructBlock):
    """The stages of an engagement in date order."""

    heading = blocks.CharBlock(required=False, label=_("Heading"))
    stages = blocks.ListBlock(TimelineStageBlock(), label=_("Stages"))

    class Meta:
        icon = "time"
        label = _("Timeline")
        template = "home/blocks/timeline.html"


class BodyBlock(blocks.StreamBlock):
    """The blocks available in every page body."""

    rich_text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Text"), icon="pilcrow", template="home/blocks/rich_text.html"
    )
    image = FigureBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    video = VideoBlock()
    timeline = TimelineBlock()


class DocumentsBlock(blocks.StreamBlock):
    """A list of related documents."""

    document = DocumentBlock()
