"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402 (needs Django set up first)

from contactcenter.core.request_limits import BodyLimit  # noqa: E402
from contactcenter.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # A body over its route's limit is refused before Django reads it (413, naming the limit).
        "http": BodyLimit(django_asgi_app),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
