"""The console's websocket route: session auth (the agent it pushes to), and the Origin must be one
of ALLOWED_HOSTS (a cookie-authenticated websocket must not be openable from another site)."""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from contactcenter.console.consumers import ConsoleConsumer

websocket_urlpatterns = [
    path("ws/console/", AllowedHostsOriginValidator(AuthMiddlewareStack(ConsoleConsumer.as_asgi()))),
]
