from channels.auth import AuthMiddlewareStack
from django.urls import path

from contactcenter.console.consumers import ConsoleConsumer

websocket_urlpatterns = [
    path("ws/console/", AuthMiddlewareStack(ConsoleConsumer.as_asgi())),
]
