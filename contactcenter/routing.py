"""Websocket routes (the console and wallboard add theirs here)."""

from contactcenter.console.routing import websocket_urlpatterns as console_websockets
from contactcenter.wallboard.routing import websocket_urlpatterns as wallboard_websockets

websocket_urlpatterns: list = [*console_websockets, *wallboard_websockets]
