"""Pages, exports and HTTP form fallbacks of the live module."""

from django.shortcuts import render


def join(request):
    """The join page: type a session's code."""
    return render(request, "deliberation/join.html")
