"""App config for the live deliberation module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    """Live, facilitated deliberation rounds over WebSockets."""

    name = "deliberation"
    verbose_name = _("Live deliberation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Connect the signal receivers (closing a signed-out browser's sockets)."""
        from deliberation import broadcast  # noqa: F401
