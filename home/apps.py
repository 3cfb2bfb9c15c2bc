"""App config for the Wagtail pages."""

from django.apps import AppConfig


class HomeConfig(AppConfig):
    """Wagtail page models of Cyd."""

    name = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Connect the signal handlers."""
        from home import signals  # noqa: F401
