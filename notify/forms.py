"""The follow form: an e-mail address and the language to be written in."""

import unicodedata

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from notify.models import EMAIL_MAX


class FollowForm(forms.Form):
    """An address (checked, at most 254 characters, plain ASCII-compatible text) and a language."""

    email = forms.CharField(
        label=_("Your e-mail address"),
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "max_length": _("An e-mail address can be up to 254 characters."),
        },
    )
    language = forms.ChoiceField(label=_("Write to me in"), choices=settings.LANGUAGES, widget=forms.RadioSelect, initial="en")

    def clean_email(self):
        """A usable address: no control, format or invisible characters, and a valid form."""
        value = unicodedata.normalize("NFC", self.cleaned_data["email"].strip())
        if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"} for ch in value):
            raise forms.ValidationError(_("Enter an e-mail address without spaces or hidden characters."))
        try:
            validate_email(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(_("Enter an e-mail address in the right form, like name@example.com.")) from exc
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"
