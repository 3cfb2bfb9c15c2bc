"""Wagtail admin: board editors author live sessions of their own board's consultations and prepare rounds.

Who may do what is the permission policy below, whose decisions are deliberation/rules.py's: the Django model
permissions (given to each board's editors group, home/permissions.py) let a user in, and `rules.AUTHOR_SESSION`
scopes every session to the board of its consultation. Another board's session is not found (404).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from deliberation import rules, services
from deliberation.errors import ServiceError
from deliberation.models import LiveSession

# Actions decided per session by rules.AUTHOR_SESSION; others ("publish", "lock"...) are not used by sessions.
SESSION_ACTIONS = {"add", "change", "delete", "view"}


class LiveSessionPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions to come in; each session only for those who may author its board's sessions."""

    def user_has_permission_for_instance(self, user, action, instance):
        """The model permission for `action`, and the rules' word on this session."""
        if not self.user_has_permission(user, action):
            return False
        return action not in SESSION_ACTIONS or rules.can(rules.Actor(user=user), rules.AUTHOR_SESSION, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        """The sessions of the user's boards (all of them for superusers and site-wide authors)."""
        if not self.user_has_any_permission(user, actions):
            return LiveSession.objects.none()
        return rules.sessions_authored_by(user)

    def users_with_any_permission_for_instance(self, actions, instance):
        """The users holding one of `actions` who may also author this session."""
        users = self.users_with_any_permission(actions)
        allowed = [user.pk for user in users if rules.can(rules.Actor(user=user), rules.AUTHOR_SESSION, instance)]
        return get_user_model().objects.filter(pk__in=allowed)


# Registered before the viewset, so Wagtail never makes its plain model policy for sessions.
POLICY = LiveSessionPermissionPolicy(LiveSession)
register_permission_policy(LiveSession, POLICY)


class AuthoredSessionsMixin:
    """Look a session up among those the user may author: another board's session is not found."""

    def authored_sessions(self):
        return POLICY.instances_user_has_any_permission_for(self.request.user, SESSION_ACTIONS)

    def get_queryset(self):  # edit and delete views
        return self.authored_sessions()

    def get_base_object_queryset(self):  # history and usage views
        return self.authored_sessions()


class CreateView(snippet_views.CreateView):
    """A new session; `?consultation=<id>` (the consultation page's "Add a live session") pre-fills it."""

    def get_initial(self):
        """The consultation (and its language) from the query string, when the user may author sessions for it."""
        initial = super().get_initial()
        wanted = self.request.GET.get("consultation", "")
        page = rules.consultations_authored_by(self.request.user).filter(pk=wanted).first() if wanted.isdigit() else None
        if page is not None:
            initial["consultation"] = page.pk
            initial["language"] = page.locale.language_code
        return initial


class EditView(AuthoredSessionsMixin, snippet_views.EditView):
    pass


class DeleteView(AuthoredSessionsMixin, snippet_views.DeleteView):
    pass


class HistoryView(AuthoredSessionsMixin, snippet_views.HistoryView):
    pass


class UsageView(AuthoredSessionsMixin, snippet_views.UsageView):
    pass


class DuplicateView(snippet_views.CopyView):
    """Wagtail's "Copy", as a duplicate: a confirmation, then a draft copy with its rounds and a new join code."""

    duplicate_template_name = "deliberation/admin/duplicate.html"

    def get(self, request, *args, **kwargs):
        """Ask before duplicating (the source is checked by the policy: another board's session is refused)."""
        source = self.get_object()
        context = {
            "object": source,
            "page_title": _("Duplicate"),
            "header_title": _("Duplicate “%(title)s”") % {"title": source.title},
            "header_icon": "copy",
            "cancel_url": reverse(self.index_url_name),
            "rounds": source.rounds.all(),
        }
        return TemplateResponse(request, self.duplicate_template_name, context)

    def post(self, request, *args, **kwargs):
        """Make the copy and open it for editing."""
        source = self.get_object()
        try:
            copy = services.session_duplicate(actor=rules.Actor(user=request.user), session=source)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(self.index_url_name)
        messages.success(
            request,
            _("“%(title)s” duplicated as a draft with the join code %(code)s.") % {"title": source.title, "code": copy.code},
        )
        return redirect(self.edit_url_name, copy.pk)


class ChooserScopeMixin:
    """The session chooser offers (and returns) only the sessions the user may author."""

    def get_object_list(self):  # choose and results views
        return POLICY.instances_user_has_any_permission_for(self.request.user, SESSION_ACTIONS)

    def get_object(self, pk):  # chosen view
        return POLICY.instances_user_has_any_permission_for(self.request.user, SESSION_ACTIONS).get(pk=pk)

    def get_objects(self, pks):  # chosen-multiple view
        return POLICY.instances_user_has_any_permission_for(self.request.user, SESSION_ACTIONS).filter(pk__in=pks)


class LiveSessionChooserViewSet(chooser_views.SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (ChooserScopeMixin, chooser_views.ChooseView), {})
    choose_results_view_class = type("ChooseResultsView", (ChooserScopeMixin, chooser_views.ChooseResultsView), {})
    chosen_view_class = type("ChosenView", (ChooserScopeMixin, chooser_views.SnippetChosenView), {})
    chosen_multiple_view_class = type("ChosenMultipleView", (ChooserScopeMixin, chooser_views.SnippetChosenMultipleView), {})


class LiveSessionViewSet(SnippetViewSet):
    """Live sessions in the admin menu, with their code and status in the listing, scoped to the user's boards."""

    model = LiveSession
    icon = "group"
    menu_label = gettext_lazy("Live sessions")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "code", "status", "consultation", "starts_at", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "title_cy", "code"]
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    usage_view_class = UsageView
    copy_view_class = DuplicateView
    chooser_viewset_class = LiveSessionChooserViewSet

    def get_queryset(self, request):
        """The listing: only the sessions of the user's boards."""
        return POLICY.instances_user_has_any_permission_for(request.user, SESSION_ACTIONS)


register_snippet(LiveSessionViewSet)
