"""The one rule for user text: what cannot be stored is refused, what disguises text is dropped.

A NUL byte cannot be stored by PostgreSQL (and would be stored raw by SQLite); a lone surrogate
cannot be encoded at all. Both are refused with `invalid`. Bidirectional override and isolate
controls (U+202A–U+202E, U+2066–U+2069) can make a title or a name read as something else, so
they are dropped.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.errors import ServiceError

BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Idempotency refs are matched as sent, so they are only checked.
KEEP_AS_SENT = {"client_ref"}
UNSTORABLE = _("The text contains a character that cannot be stored (such as a NUL byte). Remove it and try again.")


def check_text(value):
    """Refuse a string holding a NUL or a lone surrogate (not valid Unicode text)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ServiceError("invalid", UNSTORABLE)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ServiceError("invalid", UNSTORABLE) from exc
    return value


def clean_text(value):
    """User text as it is stored: checked, without bidi overrides or isolates."""
    return check_text(value).translate(BIDI_CONTROLS) if isinstance(value, str) else value


def clean_instance(instance):
    """Clean every text field of a model instance in place (refusing what cannot be stored)."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        value = getattr(instance, field.attname)
        if field.name in KEEP_AS_SENT:
            check_text(value)
            continue
        cleaned = clean_text(value)
        if cleaned != value:  # a dropped control can leave blank edges
            setattr(instance, field.attname, cleaned.strip())
