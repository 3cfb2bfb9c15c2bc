"""Template tags that show live sessions on Wagtail pages."""

from django import template

from deliberation import selectors

register = template.Library()


@register.simple_tag
def consultation_sessions(page):
    """The live sessions of a consultation (any translation of it), with their published rounds."""
    return selectors.consultation_sessions(page)
