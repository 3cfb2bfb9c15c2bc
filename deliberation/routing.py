"""WebSocket routes of the live module."""

from django.urls import re_path

from deliberation import consumers

websocket_urlpatterns = [
    re_path(r"^ws/sessions/(?P<code>[A-Za-z0-9]{4,12})/$", consumers.SessionConsumer.as_asgi()),
]
