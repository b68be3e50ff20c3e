"""WebSocket routes of the live game (served by config.asgi)."""

from typing import Any

from django.urls import path

from quiz.live import consumers

# Channels routes Django's own URL patterns to ASGI apps; django-stubs types path() for views.
websocket_urlpatterns: list[Any] = [
    path("ws/live/<uuid:game_id>/play/", consumers.PlayerConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/live/<uuid:game_id>/host/", consumers.HostConsumer.as_asgi()),  # type: ignore[arg-type]
]
