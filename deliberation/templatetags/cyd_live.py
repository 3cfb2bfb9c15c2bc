"""Template tags that show live sessions on Wagtail pages."""

from django import template

from deliberation import selectors

register = template.Library()


@register.simple_tag
def consultation_sessions(page):
    """The live sessions of a consultation (any translation of it), with their published rounds."""
    return selectors.consultation_sessions(page)


@register.filter
def person(name):
    """A participant's name, or "Anonymous participant" in the viewer's language."""
    from django.utils.translation import gettext

    return name or gettext("Anonymous participant")


@register.filter
def hide_reason(reason):
    """A public reason for hiding: a preset code in the viewer's language, or the facilitator's words."""
    from deliberation.models import HIDE_REASONS

    label = HIDE_REASONS.get(reason)
    return str(label) if label is not None else reason
