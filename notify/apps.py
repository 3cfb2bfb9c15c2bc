"""The notifications app: following consultations and sessions by e-mail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Connects the hooks on the event log and page publishing (notify/signals.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        """Connect the signal receivers."""
        from notify import signals  # noqa: F401
