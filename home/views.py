"""Site search over Wagtail pages in the current language."""

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Locale, Page

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
