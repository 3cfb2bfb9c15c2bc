"""Public URLs of the live module (language-prefixed by config.urls)."""

from django.urls import path

from deliberation import views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("s/<str:code>/", views.session, name="session"),
    path("s/<str:code>/act/", views.act, name="session_act"),
    path("s/<str:code>/admission.json", views.admission_status, name="admission_status"),
    path("s/<str:code>/facilitate/", views.facilitate, name="facilitate"),
    path("s/<str:code>/present/", views.present, name="present"),
    path("s/<str:code>/qr.svg", views.qr, name="session_qr"),
    path("s/<str:code>/calendar.ics", views.session_ics, name="session_ics"),
    path("s/<str:code>/cards/", views.cards_sheet, name="cards_sheet"),
    path("s/<str:code>/log/", views.audit_log, name="audit_log"),
    path("s/<str:code>/log.<str:fmt>", views.audit_log, name="audit_log_export"),
    path("s/<str:code>/return/new/", views.return_link_new, name="return_link_new"),
    path("s/<str:code>/return/email/", views.return_link_email, name="return_link_email"),
    path("s/<str:code>/return/<str:token>/", views.return_link, name="return_link"),
    path("s/<str:code>/results/<int:round_id>/", views.results, name="results"),
    path("s/<str:code>/results/<int:round_id>.<str:fmt>", views.results_download, name="results_download"),
]
