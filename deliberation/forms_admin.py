"""Wagtail admin forms of the live module: once a round has opened, only the console changes it."""

import copy

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from deliberation.text import missing_languages

WELSH_HINT = _("What Welsh readers see. Left empty, they see the English text.")
MISSING_WELSH = _("Warning: no Welsh yet. Welsh readers see the English text here until it is added.")
MISSING_ENGLISH = _("Warning: no English yet. English readers see the Welsh text here until it is added.")
OPENED_ROUND_NOTE = _("This round has opened, so it is read-only here: change it from the facilitator console.")
OTHER_BOARD_CONSULTATION = _("You can only attach a session to a consultation of your own board. Choose one from the list.")


class BilingualWarnings:
    """Says under each Welsh field what it is for and, on a saved item, that its text is missing in one language.

    A warning, never a refusal: a board may prepare in one language and add the other later (docs/protocol.md)."""

    bilingual_fields = ()

    def warn_missing_languages(self):
        """Set the Welsh fields' help: the hint, or a warning where the saved item lacks Welsh (or English)."""
        for field in self.bilingual_fields:
            welsh = self.fields.get(f"{field}_cy")
            if welsh is None:
                continue
            missing = missing_languages(self.instance, [field]) if self.instance.pk else []
            help_text = {"cy": MISSING_WELSH, "en": MISSING_ENGLISH}.get(missing[0] if missing else "", WELSH_HINT)
            welsh.help_text = help_text


class RoundAdminForm(BilingualWarnings, WagtailAdminModelForm):
    """A round in the session editor: editable while being prepared, then read-only here."""

    bilingual_fields = ("title", "prompt")

    def __init__(self, *args, **kwargs):
        """Warn of a title or prompt missing in one language; show a round that has opened read-only, saying why."""
        super().__init__(*args, **kwargs)
        self.warn_missing_languages()
        self.opened = bool(self.instance.pk and self.instance.state != "draft")
        if self.opened:
            for field in self.fields.values():
                field.disabled = True
            if "title" in self.fields:
                self.fields["title"].help_text = OPENED_ROUND_NOTE

    def posted_changes(self):
        """The fields whose posted value differs from the saved one (browsers do not send read-only fields)."""
        changed = []
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if key not in self.data:
                continue
            probe = copy.copy(field)
            probe.disabled = False  # a disabled field always reports "unchanged"
            raw = field.widget.value_from_datadict(self.data, self.files, key)
            if probe.has_changed(self.get_initial_for_field(field, name), raw):
                changed.append(name)
        return changed

    def clean(self):
        """Refuse edits and deletion of a round that has opened (its record is in the event log)."""
        cleaned = super().clean()
        instance = self.instance
        if self.opened and (self.has_changed() or self.posted_changes() or cleaned.get("DELETE")):
            # A formset skips the errors of a form marked for deletion: keep it, so the refusal is seen.
            cleaned["DELETE"] = False
            raise forms.ValidationError(
                _("“%(title)s” has already opened. Change it from the facilitator console, where it is logged.")
                % {"title": instance.title}
            )
        if not self.opened and {"opens_at", "closes_at"} & set(self.changed_data):
            self.check_schedule(cleaned)
        return cleaned

    def check_schedule(self, cleaned):
        """A draft's times, by the console's rules (deliberation/services/rounds.py); the error under its field."""
        from django.utils import timezone

        from deliberation.services.rounds import schedule_problem

        problem = schedule_problem(
            cleaned.get("opens_at"),
            cleaned.get("closes_at"),
            now=timezone.now(),
            new_opens="opens_at" in self.changed_data,
            new_closes="closes_at" in self.changed_data,
        )
        if problem:
            self.add_error(*problem)


class LiveSessionAdminForm(BilingualWarnings, WagtailAdminModelForm):
    """A session in the admin: who may vote is refused a change once locked, by the same rule as the console."""

    bilingual_fields = ("title", "description")

    def __init__(self, *args, **kwargs):
        """Who may vote may be left out of a POST: the session keeps its mode (open for a new one)."""
        super().__init__(*args, **kwargs)
        if "eligibility" in self.fields:
            self.fields["eligibility"].required = False
        self.warn_missing_languages()
        if self.for_user is not None:
            self.limit_to_board(self.for_user)

    def limit_to_board(self, user):
        """Offer only the consultations `user` may attach sessions to, and facilitators from that board's people."""
        from deliberation import rules

        field = self.fields.get("consultation")
        if field is not None:
            field.queryset = rules.consultations_authored_by(user).select_related("locale")
            field.error_messages["invalid_choice"] = OTHER_BOARD_CONSULTATION
            if not rules.is_site_session_author(user):
                # Board editors choose from a list of their board's consultations, in both languages.
                field.required = True
                field.label_from_instance = lambda page: f"{page.title} ({page.locale.language_code})"
                field.widget = forms.Select(choices=field.choices)
        people = self.fields.get("facilitators")
        if people is not None:
            candidates = rules.facilitator_candidates(user, self.chosen_consultation(user))
            current = self.instance.facilitators.values("pk") if self.instance.pk else []
            people.queryset = get_user_model().objects.filter(Q(pk__in=candidates.values("pk")) | Q(pk__in=current))

    def chosen_consultation(self, user):
        """The consultation the session is (being) attached to: as posted, else saved, else pre-filled; or None."""
        from deliberation import rules

        if self.is_bound:
            wanted = self.data.get(self.add_prefix("consultation"))
        elif self.instance.pk:
            return self.instance.consultation
        else:
            wanted = self.initial.get("consultation")
            wanted = getattr(wanted, "pk", wanted)
        if not wanted or not str(wanted).isdigit():
            return None
        return rules.consultations_authored_by(user).filter(pk=wanted).first()

    def clean_consultation(self):
        """Refuse a consultation of another board, by the rule the admin's permission policy uses."""
        from deliberation import rules

        consultation = self.cleaned_data.get("consultation")
        actor = rules.Actor(user=self.for_user)
        if self.for_user is not None and not rules.can(actor, rules.AUTHOR_SESSION_FOR, consultation):
            raise forms.ValidationError(OTHER_BOARD_CONSULTATION, code="other_board")
        return consultation

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
