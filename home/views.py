"""Site search over Wagtail pages in the current language, and the admin report of translations out of date."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale, Page, PageLogEntry
from wagtail.permission_policies.pages import PagePermissionPolicy

from home.models import out_of_date_translations

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Search live, public pages of the current language and show a paginated results page."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().filter(locale=Locale.get_active(), depth__gt=1).specific().search(query)
    # get_page() copes with a missing, non-numeric or out-of-range page number.
    page_obj = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "home/search.html", {"query": query, "results": page_obj})


def source_changes_url(source_id, since):
    """The admin page comparing the source page as it was published at `since` (the translation's last publish)
    with its live version; its revision history when there is no publish to compare from."""
    entry = (
        PageLogEntry.objects.filter(page_id=source_id, action="wagtail.publish", revision__isnull=False)
        .filter(timestamp__lte=since)
        .order_by("-timestamp", "-pk")
        .first()
        if since
        else None
    )
    if entry is None:
        return reverse("wagtailadmin_pages:history", args=[source_id])
    return reverse("wagtailadmin_pages:revisions_compare", args=[source_id, entry.revision_id, "live"])


class LinksColumn(Column):
    """The report's actions: edit the translation, see what changed in the source page since."""

    cell_template_name = "home/admin/translation_links_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        """The translation's edit link and the link to what changed in its source page since it was published."""
        context = super().get_cell_context_data(instance, parent_context)
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[instance.pk])
        context["changes_url"] = source_changes_url(instance.source_id, instance.last_published_at)
        return context


class TranslationsOutOfDateView(ReportView):
    """Translated pages the editor may change whose source page was published after them, oldest first."""

    page_title = _("Translations out of date")
    header_icon = "globe"
    index_url_name = "home_translations_out_of_date"
    index_results_url_name = "home_translations_out_of_date_results"
    results_template_name = "home/admin/translations_out_of_date_results.html"
    context_object_name = "pages"
    model = Page
    columns = [
        TitleColumn("title", label=_("Page"), url_name="wagtailadmin_pages:edit"),
        Column("locale", label=_("Language"), accessor=lambda page: page.locale.get_display_name()),
        DateColumn("source_published_at", label=_("English last published")),
        DateColumn("last_published_at", label=_("Translation last published")),
        LinksColumn("links", label=_("What to do")),
    ]

    def get_queryset(self):
        """Out-of-date translations among the pages this user may edit."""
        editable = PagePermissionPolicy().instances_user_has_permission_for(self.request.user, "change")
        return out_of_date_translations(editable).select_related("locale")
