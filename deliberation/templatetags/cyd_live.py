"""Template tags that show live sessions on Wagtail pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from deliberation import results, selectors
from deliberation.models import HIDE_REASONS

register = template.Library()


@register.simple_tag
def consultation_sessions(page):
    """The live sessions of a consultation (any translation of it), with their published rounds."""
    return selectors.consultation_sessions(page)


@register.filter
def person(name):
    """A participant's name, or "Anonymous participant" in the viewer's language."""
    return name or gettext("Anonymous participant")


@register.simple_tag
def hide_reasons() -> dict:
    """The preset public reasons for hiding: code -> words in the viewer's language (models.HIDE_REASONS)."""
    return HIDE_REASONS


@register.filter
def hide_reason(reason):
    """A public reason for hiding: a preset code in the viewer's language, or the facilitator's words."""
    label = HIDE_REASONS.get(reason)
    return str(label) if label is not None else reason


@register.filter
def count_number(value):
    """A count as people write it: "3" not "3.00000", "2.5", at most five decimals where transfers made them."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    if number != number.to_integral_value():
        number = number.quantize(Decimal("0.00001"))
    return format(number.normalize(), "f")


@register.filter
def no_result(result):
    """Why a published count chose nobody, as one line for lists ("" when it chose someone)."""
    return results.no_result(result, short=True)


@register.filter
def trust_label(round_):
    """How far a published round's result can be trusted, in one line (e.g. "Open vote · not verified")."""
    return results.trust_label(round_)


@register.filter
def join_link(url, code):
    """A join link (HTML) that may wrap after a slash but never inside the session code, e.g. on the projector."""
    parts = [
        format_html('<span class="present__url-code">{}</span>', part) if part == code else conditional_escape(part)
        for part in str(url).split("/")
    ]
    return mark_safe("".join([parts[0], *(f"/<wbr>{part}" if part else "/" for part in parts[1:])]))  # noqa: S308 - parts escaped above
