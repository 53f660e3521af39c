"""The page needs a staff login; the websocket refuses anyone else."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from tests.wallboard.conftest import session_cookie, websocket


@pytest.mark.django_db
def test_the_wallboard_page_needs_a_login(client) -> None:
    response = client.get("/wallboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/") and "next=/wallboard/" in response["Location"]


@pytest.mark.django_db
def test_the_wallboard_page_is_for_staff_only(client, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_user("agent", password="x" * 12))
    assert client.get("/wallboard/").status_code == 302


@pytest.mark.django_db
def test_the_wallboard_page_renders_for_staff(client, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_user("manager", password="x" * 12, is_staff=True))
    response = client.get("/wallboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Wallboard</h1>" in html and '"/ws/wallboard/"' in html
    for section in ("queues", "live", "today", "escalations", "campaigns", "agents"):
        assert f'id="{section}"' in html
    assert "/wallboard/" in client.get("/").content.decode()  # linked from the home page


@pytest.mark.django_db(transaction=True)
async def test_the_websocket_refuses_anonymous_and_non_staff(client, django_user_model, settings) -> None:
    from asgiref.sync import sync_to_async

    from contactcenter.asgi import application

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.WALLBOARD_EMBEDDED_FEEDER = False
    agent = await sync_to_async(django_user_model.objects.create_user)("agent", password="x" * 12)
    for session in (None, await sync_to_async(session_cookie)(client, agent)):
        communicator = websocket(application, session)
        connected, _ = await communicator.connect()
        assert connected is False
        await communicator.disconnect()
    # A staff session from another site's page (cross-site websocket hijacking) is refused too.
    manager = await sync_to_async(django_user_model.objects.create_user)("boss", password="x" * 12, is_staff=True)
    communicator = websocket(application, await sync_to_async(session_cookie)(client, manager), origin="https://evil.example")
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()
    assert get_channel_layer() is not None
