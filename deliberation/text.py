"""The one rule for user text: what cannot be stored is refused, what disguises text is dropped.

A NUL byte cannot be stored by PostgreSQL (and would be stored raw by SQLite); a lone surrogate
cannot be encoded at all. Both are refused with `invalid`. Bidirectional override and isolate
controls (U+202A–U+202E, U+2066–U+2069) can make a title or a name read as something else, so
they are dropped.
"""

from django.db import models
from django.utils import translation
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


# --- content in both languages ----------------------------------------------------------------------------------
# What a board writes (a session's title and description, a round's title and prompt) is written in English and in
# Welsh (Welsh Language Standards): `title` is the English text and `title_cy` the Welsh. A reader sees the text of
# the page's language, and the other language's text when that one is empty, marked with its own `lang`.

CONTENT_LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LANGUAGE_CODES = tuple(code for code, _label in CONTENT_LANGUAGES)
BAD_LANGUAGE = _("Choose the language it is written in: English (en) or Welsh (cy).")


class Text(str):
    """Text as it is shown, knowing the language it is written in (`lang`, for the element's lang attribute)."""

    lang = "en"

    def __new__(cls, value, lang):
        """The text `value`, written in `lang`."""
        text = super().__new__(cls, value or "")
        text.lang = lang
        return text

    def __reduce__(self):
        """Copied and pickled with its language."""
        return (Text, (str(self), self.lang))


def content_language(language=None):
    """ "cy" or "en": the given language, else the active one (a Welsh page is "cy", anything else "en")."""
    code = language or translation.get_language() or "en"
    return "cy" if str(code).lower().startswith("cy") else "en"


def pick(en, cy, language=None):
    """The text for a language, falling back to the other language's when it is empty: a `Text` with its `lang`."""
    first = content_language(language)
    texts = {"en": (en or "").strip(), "cy": (cy or "").strip()}
    other = "en" if first == "cy" else "cy"
    if texts[first] or not texts[other]:
        return Text(en if first == "en" else cy, first)
    return Text(en if other == "en" else cy, other)


def pick_field(item, field, language=None):
    """`pick` for a field and its `<field>_cy` twin, read from a model instance or a dict (a socket payload)."""
    if isinstance(item, dict):
        return pick(item.get(field), item.get(f"{field}_cy"), language)
    return pick(getattr(item, field, ""), getattr(item, f"{field}_cy", ""), language)


def _value(item, name):
    """A field of a model instance or a dict, "" when empty."""
    value = item.get(name) if isinstance(item, dict) else getattr(item, name, "")
    return (value or "").strip()


def missing_languages(item, fields):
    """The languages ("en", "cy") some of these fields lack while written in the other one (e.g. ["cy"])."""
    missing = set()
    for field in fields:
        en, cy = _value(item, field), _value(item, f"{field}_cy")
        if en and not cy:
            missing.add("cy")
        if cy and not en:
            missing.add("en")
    return [code for code in LANGUAGE_CODES if code in missing]


def check_language(value):
    """A contribution's language, "en" or "cy"; anything else is refused with `invalid`."""
    if value not in LANGUAGE_CODES:
        raise ServiceError("invalid", BAD_LANGUAGE)
    return value


class Shown:
    """A model's text in the reader's language, with fallback: `shown_title = Shown("title")` reads title/title_cy."""

    def __init__(self, field):
        """Read `field` (English) and `<field>_cy` (Welsh)."""
        self.field = field

    def __get__(self, instance, owner=None):
        """The `Text` for the active language (the descriptor itself on the class)."""
        if instance is None:
            return self
        return pick_field(instance, self.field)
