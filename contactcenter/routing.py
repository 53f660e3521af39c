"""Websocket routes (the console and wallboard add theirs here)."""

websocket_urlpatterns: list = []
