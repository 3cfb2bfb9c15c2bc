"""The site's URLs with notify's included, for the tests until config/urls.py includes them (harmless after)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from config import urls as site

urlpatterns = i18n_patterns(path("notify/", include("notify.urls")), prefix_default_language=True) + site.urlpatterns
handler404 = site.handler404
handler500 = site.handler500
