"""Template helpers shared by every page: the language switch."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info

register = template.Library()


def _translated_path(context, code):
    """The path of the current page in language `code` (Wagtail translation or same URL)."""
    page = context.get("page")
    request = context.get("request")
    if page is not None and hasattr(page, "get_translation_or_none"):
        from wagtail.models import Locale

        locale = Locale.objects.filter(language_code=code).first()
        translation = page.get_translation_or_none(locale) if locale else None
        if translation is not None and translation.live:
            return translation.get_url(request)
        # No translation: the other language's home page is the closest honest answer.
        return f"/{code}/"
    return request.get_full_path() if request else f"/{code}/"


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context):
    """Links to this page in every other language, each remembered in a cookie when followed."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        info = get_language_info(code)
        url = reverse("switch_language", args=[code]) + "?" + urlencode({"next": _translated_path(context, code)})
        links.append({"code": code, "name": info["name_local"], "url": url})
    return {"links": links}
