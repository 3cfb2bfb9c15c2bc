"""Wagtail admin forms of the live module: once a round has opened, only the console changes it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class RoundAdminForm(WagtailAdminModelForm):
    """A round in the session editor: editable while being prepared, then read-only here."""

    def clean(self):
        """Refuse edits and deletion of a round that has opened (its record is in the event log)."""
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and instance.state != "draft" and (self.has_changed() or cleaned.get("DELETE")):
            raise forms.ValidationError(
                _("“%(title)s” has already opened. Change it from the facilitator console, where it is logged.")
                % {"title": instance.title}
            )
        return cleaned


class LiveSessionAdminForm(WagtailAdminModelForm):
    """A session in the admin: who may vote is refused a change once locked, by the same rule as the console."""

    def __init__(self, *args, **kwargs):
        """Who may vote may be left out of a POST: the session keeps its mode (open for a new one)."""
        super().__init__(*args, **kwargs)
        if "eligibility" in self.fields:
            self.fields["eligibility"].required = False

    def clean_eligibility(self):
        """The chosen mode, or the session's current one when none was sent."""
        return self.cleaned_data.get("eligibility") or self.instance.eligibility

    def clean(self):
        """Refuse a change of who may vote while a vote is open or once ballots exist (CONSUL bug #5321)."""
        # Imported here: models.py imports this module to build its admin form, before selectors can load.
        from deliberation import selectors
        from deliberation.errors import ServiceError

        cleaned = super().clean()
        instance = self.instance
        fields = ("eligibility", "uncarded_may_contribute", "double_entry")
        changed = [name for name in fields if name in self.changed_data and cleaned.get(name) != getattr(instance, name)]
        if instance.pk and changed and selectors.eligibility_locked(instance):
            message = ServiceError("eligibility_locked").message
            for name in changed:
                self.add_error(name, message)
        return cleaned
