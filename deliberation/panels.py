"""A panel on the consultation page's admin form: its live sessions, with links to edit, duplicate and add one."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel
from wagtail.permissions import policy_registry


class LiveSessionsPanel(Panel):
    """The live sessions of this consultation (in either language) the user may author, and "Add a live session"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Live sessions"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "deliberation/admin/live_sessions_panel.html"

        def get_context_data(self, parent_context=None):
            """The sessions with their edit and duplicate links, and the add link pre-filled with this page."""
            # Imported here: home/models.py imports this module while the apps load.
            from deliberation import rules
            from deliberation.models import LiveSession

            context = super().get_context_data(parent_context)
            page = self.instance
            context["consultation_id"] = page.pk
            if page.pk is None:
                return context
            viewset = LiveSession.snippet_viewset
            policy = policy_registry.get_by_type(LiveSession)
            user = self.request.user
            sessions = list(
                rules.sessions_authored_by(user)
                .filter(consultation__translation_key=page.translation_key)
                .order_by("starts_at", "created_at")
            )
            may_add = policy.user_has_permission(user, "add")
            for session in sessions:
                session.edit_url = reverse(viewset.get_url_name("edit"), args=[session.pk])
                session.copy_url = reverse(viewset.get_url_name("copy"), args=[session.pk]) if may_add else ""
            context["sessions"] = sessions
            may_attach = rules.can(rules.Actor(user=user), rules.AUTHOR_SESSION_FOR, page)
            if may_add and may_attach:
                context["add_url"] = f"{reverse(viewset.get_url_name('add'))}?{urlencode({'consultation': page.pk})}"
            return context
