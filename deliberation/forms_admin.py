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
