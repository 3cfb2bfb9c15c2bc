"""Site search over Wagtail pages in the current language, the admin report of translations out of date, and a
board's commitments as CSV and JSON for its annual report."""

from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale, Page, PageLogEntry
from wagtail.permission_policies.pages import PagePermissionPolicy

from deliberation.exports import csv_writer
from home.models import BoardPage, Commitment, ConsultationPage, chosen_in_published_votes, out_of_date_translations

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


# --- a board's commitments for its annual report (Well-being of Future Generations (Wales) Act 2015, s.45) -----------

EXPORT_FIELDS = [
    # (JSON key, CSV column heading); the headings are in the page's language, the keys stay as they are.
    ("consultation", _("Consultation")),
    ("consultation_url", _("Consultation page")),
    ("commitment", _("Commitment")),
    ("answers_proposal", _("Proposal it answers")),
    ("results_url", _("Results of the vote")),
    ("you_said", _("You said")),
    ("partner", _("Responsible partner")),
    ("status", _("Status")),
    ("reason", _("Reason")),
    ("target_date", _("Target date")),
    ("latest_update_date", _("Date of the latest update")),
    ("latest_update", _("Latest update")),
    ("updates", _("Number of updates")),
]


def _board_in_language(board_id):
    """The live, public board page `board_id`, in the active language when it has a live translation in it."""
    board = get_object_or_404(BoardPage.objects.live().public(), pk=board_id)
    translation = board.get_translations(inclusive=True).live().public().filter(locale=Locale.get_active()).first()
    return translation.specific if translation is not None else board


def commitment_rows(request, board):
    """Every commitment on the board's live, public consultations, as dicts keyed as EXPORT_FIELDS, in the active
    language: consultations by title, commitments in the editors' order."""
    consultations = ConsultationPage.objects.child_of(board).live().public().order_by("title", "pk")
    rows = []
    for consultation in consultations:
        commitments = Commitment.objects.filter(page=consultation).select_related("partner", "proposal")
        # Rows made in code may have no sort order: first on every database (PostgreSQL puts NULL last by default).
        order = (F("sort_order").asc(nulls_first=True), "pk")
        commitments = list(commitments.prefetch_related("updates").order_by(*order))
        rounds = chosen_in_published_votes(consultation) if any(c.proposal_id for c in commitments) else {}
        for commitment in commitments:
            round_ = rounds.get(commitment.proposal_id)
            updates = sorted(commitment.updates.all(), key=lambda update: (update.date, update.pk))
            latest = updates[-1] if updates else None
            results = reverse("results", args=[round_.session.code, round_.pk]) if round_ else ""
            rows.append(
                {
                    "consultation": consultation.title,
                    "consultation_url": consultation.get_full_url(request) or "",
                    "commitment": commitment.title,
                    "answers_proposal": commitment.proposal.title if commitment.proposal else "",
                    "results_url": request.build_absolute_uri(results) if results else "",
                    "you_said": commitment.you_said,
                    "partner": commitment.partner.name if commitment.partner else gettext("The board as a whole"),
                    "status": str(commitment.get_status_display()),
                    "status_code": commitment.status,
                    "reason": commitment.reason,
                    "target_date": commitment.target_date.isoformat() if commitment.target_date else "",
                    "latest_update_date": latest.date.isoformat() if latest else "",
                    "latest_update": latest.text if latest else "",
                    "updates": len(updates),
                }
            )
    return rows


def board_commitments_export(request, board_id, fmt):
    """A board's commitments (all its consultations') as CSV or JSON, in the language of the URL (/en/ or /cy/)."""
    if fmt not in ("csv", "json"):
        raise Http404
    board = _board_in_language(board_id)
    rows = commitment_rows(request, board)
    stem = f"cyd-{board.slug}-commitments"
    if fmt == "json":
        document = {
            "board": board.title,
            "language": board.locale.language_code,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "commitments": rows,
        }
        response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv_writer(response)
        writer.writerow([str(heading) for _key, heading in EXPORT_FIELDS])
        writer.writerows([row[key] for key, _heading in EXPORT_FIELDS] for row in rows)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
