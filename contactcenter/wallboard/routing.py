"""The wallboard's websocket route, with its own session auth and origin check.

Wrapped here rather than in asgi.py so the route is safe wherever it is mounted: the
session cookie authenticates the manager, and the Origin must be one of ALLOWED_HOSTS
(a cookie-authenticated websocket must not be openable from another site).
"""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from contactcenter.wallboard.consumers import WallboardConsumer

websocket_urlpatterns = [
    path("ws/wallboard/", AllowedHostsOriginValidator(AuthMiddlewareStack(WallboardConsumer.as_asgi()))),
]
