"""Public URLs of notifications (language-prefixed: config.urls includes them under i18n_patterns)."""

from django.urls import path

from notify import views

urlpatterns = [
    path("follow/", views.follow, name="notify_follow"),
    path("follow/confirm/<str:value>/", views.confirm, name="notify_confirm"),
    path("notifications/<str:token>/", views.manage, name="notify_manage"),
    path("notifications/<str:token>/unsubscribe/", views.unsubscribe, name="notify_unsubscribe"),
]
