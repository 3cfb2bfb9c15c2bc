"""Wagtail admin: editors create live sessions, attach them to consultations and prepare rounds."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from deliberation.models import LiveSession


class LiveSessionViewSet(SnippetViewSet):
    """Live sessions in the admin menu, with their code and status in the listing."""

    model = LiveSession
    icon = "group"
    menu_label = _("Live sessions")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "code", "status", "consultation", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "code"]


register_snippet(LiveSessionViewSet)
