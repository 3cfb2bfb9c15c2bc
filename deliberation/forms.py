"""HTML forms of the live module (the WebSocket path validates the same fields in protocol.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.models import JOIN_CODE_LENGTH, NAME_MAX, LiveSession, normalise_code


class JoinForm(forms.Form):
    """Type the code shown in the room."""

    code = forms.CharField(
        label=_("Session code"),
        help_text=_("The code is shown on the screen in the room or on your invitation, for example K7MP4Q."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "inputmode": "text"}
        ),
    )

    def clean_code(self):
        """Accept pasted codes with spaces, dashes or lower case."""
        code = "".join(ch for ch in self.cleaned_data["code"].upper() if ch.isalnum())
        if len(code) < JOIN_CODE_LENGTH:
            raise forms.ValidationError(_("Enter the %(n)s-character code.") % {"n": JOIN_CODE_LENGTH})
        return code


class NameForm(forms.Form):
    """Choose how you appear to others, or stay anonymous."""

    name = forms.CharField(
        label=_("Your name, as others will see it"),
        help_text=_("Optional. Leave it empty to take part anonymously. You can change it later."),
        max_length=NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    card = forms.CharField(
        label=_("Voting card code"),
        help_text=_("The 12 characters printed on your card, for example ABCD-EFGH-JKMN."),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    # The "I have no card" button: join to watch (and, if the session allows, propose and comment).
    watch = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, session=None, **kwargs):
        """Ask for a card only in a voting-card session."""
        super().__init__(*args, **kwargs)
        if session is None or session.eligibility != LiveSession.Eligibility.CARDS:
            del self.fields["card"]

    def clean(self):
        """In a card session, a card code or the choice to join without one."""
        data = super().clean()
        if "card" in self.fields:
            data["card"] = normalise_code(data.get("card", ""))
            if not data["card"] and not data.get("watch"):
                self.add_error("card", _("Enter the code on your voting card, or choose “I have no card”."))
        return data
