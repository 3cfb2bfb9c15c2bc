"""Public URLs of the live module (language-prefixed by config.urls)."""

from django.urls import path

from deliberation import views

urlpatterns = [
    path("join/", views.join, name="join"),
]
