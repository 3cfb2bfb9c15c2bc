"""Wagtail admin: the "Translations out of date" report, and warnings when a translation falls behind its source."""

from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy

from home.models import out_of_date_translations, source_locale, translation_drift
from home.views import TranslationsOutOfDateView, source_changes_url


@hooks.register("register_admin_urls")
def register_translation_report_urls():
    """The report and its results fragment (Wagtail's listings refresh the results on their own)."""
    return [
        path(
            "reports/translations-out-of-date/",
            TranslationsOutOfDateView.as_view(),
            name="home_translations_out_of_date",
        ),
        path(
            "reports/translations-out-of-date/results/",
            TranslationsOutOfDateView.as_view(results_only=True),
            name="home_translations_out_of_date_results",
        ),
    ]


class TranslationReportMenuItem(MenuItem):
    """Shown to anyone who may add, change or publish some page."""

    def is_shown(self, request):
        """Only people who edit pages have translations to keep up to date."""
        return PagePermissionPolicy().user_has_any_permission(request.user, ["add", "change", "publish"])


@hooks.register("register_reports_menu_item")
def register_translation_report_menu_item():
    """ "Translations out of date" in the Reports menu."""
    return TranslationReportMenuItem(
        gettext_lazy("Translations out of date"),
        reverse("home_translations_out_of_date"),
        name="translations-out-of-date",
        icon_name="globe",
        order=650,
    )


def _when(moment):
    """A publish time as the admin shows dates: "2 December 2026"."""
    return date_format(localtime(moment), "j F Y")


@hooks.register("after_publish_page")
def warn_that_translations_are_now_out_of_date(request, page):
    """After a source-language page is published, say which of its translations are now older, with a link to each."""
    if page.locale_id != source_locale().pk:
        return
    for translation in out_of_date_translations(page.get_translations()).select_related("locale"):
        messages.warning(
            request,
            _("The %(language)s translation “%(title)s” is now older than this page: update it so both say the same.")
            % {"language": translation.locale.get_display_name(), "title": translation.title},
            buttons=[messages.button(reverse("wagtailadmin_pages:edit", args=[translation.pk]), _("Edit the translation"))],
        )


@hooks.register("before_edit_page")
def warn_that_the_source_changed(request, page):
    """Opening a translation whose source page was published since: say when, and link to what changed."""
    if request.method != "GET":
        return
    source = translation_drift(page)
    if source is None:
        return
    messages.warning(
        request,
        _(
            "The %(language)s page was published on %(date)s, after this translation was last published: "
            "check what changed and update this page."
        )
        % {"language": source.locale.get_display_name(), "date": _when(source.last_published_at)},
        buttons=[messages.button(source_changes_url(source.pk, page.last_published_at), _("What changed"))],
    )
