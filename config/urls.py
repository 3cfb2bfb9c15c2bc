"""URL configuration: language-prefixed public pages, unprefixed health and WebSocket routes."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import views
from home import views as home_views
from home.feeds import BoardCommitmentsFeed, BoardConsultationsFeed

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("language/<str:code>/", views.switch_language, name="switch_language"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("search/", home_views.search, name="search"),
    path("boards/<int:board_id>/commitments.<str:fmt>", home_views.board_commitments_export, name="board_commitments_export"),
    path("boards/<int:board_id>/feeds/consultations.atom", BoardConsultationsFeed(), name="board_consultations_feed"),
    path("boards/<int:board_id>/feeds/commitments.atom", BoardCommitmentsFeed(), name="board_commitments_feed"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notify/", include("notify.urls")),
    path("", include("deliberation.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
