"""The page needs a supervisor's or admin's login; the websocket refuses anyone else and gives them the board."""

from __future__ import annotations

import pytest

from contactcenter.people.models import Agent, AgentState, HumanQueue
from contactcenter.people.roles import Role, set_role
from tests.wallboard.conftest import session_cookie, websocket


@pytest.mark.django_db
def test_the_wallboard_page_needs_a_login(client) -> None:
    response = client.get("/wallboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") and "next=/wallboard/" in response["Location"]


def user_with(django_user_model, name: str, role: Role | None, **fields):
    user = django_user_model.objects.create_user(name, password="x" * 12, **fields)
    if role is not None:
        set_role(user, role)
    return user


@pytest.mark.django_db
def test_the_wallboard_page_is_for_supervisors_and_admins_only(client, django_user_model) -> None:
    client.force_login(user_with(django_user_model, "agent", Role.AGENT))
    assert client.get("/wallboard/").status_code == 403
    client.force_login(user_with(django_user_model, "staff", None, is_staff=True))  # staff without a role
    assert client.get("/wallboard/").status_code == 403
    client.force_login(user_with(django_user_model, "admin", Role.ADMIN))
    assert client.get("/wallboard/").status_code == 200


@pytest.mark.django_db
def test_the_wallboard_page_renders_for_a_supervisor(client, django_user_model) -> None:
    client.force_login(user_with(django_user_model, "manager", Role.SUPERVISOR))
    response = client.get("/wallboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Wallboard</h1>" in html and '"/ws/wallboard/"' in html
    for section in ("queues", "live", "today", "escalations", "campaigns", "agents"):
        assert f'id="{section}"' in html
    assert "/wallboard/" in client.get("/").content.decode()  # linked from the home page


@pytest.mark.django_db(transaction=True)
async def test_the_websocket_refuses_anonymous_and_agents(client, django_user_model, settings) -> None:
    from asgiref.sync import sync_to_async

    from contactcenter.asgi import application

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.WALLBOARD_EMBEDDED_FEEDER = False
    agent = await sync_to_async(user_with)(django_user_model, "agent", Role.AGENT)
    for session in (None, await sync_to_async(session_cookie)(client, agent)):
        communicator = websocket(application, session)
        connected, _ = await communicator.connect()
        assert connected is False
        await communicator.disconnect()
    # A supervisor's session from another site's page (cross-site websocket hijacking) is refused too.
    manager = await sync_to_async(user_with)(django_user_model, "boss", Role.SUPERVISOR)
    communicator = websocket(application, await sync_to_async(session_cookie)(client, manager), origin="https://evil.example")
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_supervisors_get_the_board_on_connect(client, django_user_model, settings) -> None:
    from asgiref.sync import sync_to_async

    from contactcenter.asgi import application

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.WALLBOARD_EMBEDDED_FEEDER = False
    settings.WALLBOARD_REDIS_URL = "redis://127.0.0.1:1/0"  # no feeder, no snapshot: the board comes from the database

    def people() -> None:
        support, _ = HumanQueue.objects.get_or_create(name="support")
        Agent.objects.create(name="agent1", display_name="Asha", state=AgentState.AVAILABLE).queues.add(support)

    await sync_to_async(people)()
    manager = await sync_to_async(user_with)(django_user_model, "boss", Role.SUPERVISOR)
    communicator = websocket(application, await sync_to_async(session_cookie)(client, manager))
    connected, _ = await communicator.connect()
    assert connected is True
    board = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    assert (board["type"], board["feeder"]) == ("snapshot", "offline")
    assert [(q["name"], q["agents"]["available"]) for q in board["sections"]["queues"]] == [("support", 1)]
    assert [(a["name"], a["display_name"], a["state"]) for a in board["sections"]["agents"]] == [
        ("agent1", "Asha", "available")]


@pytest.mark.django_db
def test_tv_mode_is_the_same_board_with_nothing_to_click(client, django_user_model) -> None:
    client.force_login(user_with(django_user_model, "manager", Role.SUPERVISOR))
    desk = client.get("/wallboard/")
    assert desk.context["page"]["callbacks_url"] == "/wallboard/callbacks/" and desk.context["page"]["csrf_token"]
    assert 'href="?tv=1"' in desk.content.decode()
    tv = client.get("/wallboard/?tv=1")
    html = tv.content.decode()
    assert tv.status_code == 200 and '<body class="tv">' in html
    assert tv.context["page"] == {"ws_path": "/ws/wallboard/", "tv": True, "callbacks_url": None, "csrf_token": None}
    for control in ("<button", "<form", "<input", "<select", "<a "):
        assert control not in html, control
    for section in ("kpis", "charts", "queues", "live", "today", "abandoned", "escalations", "campaigns", "agents"):
        assert f'id="{section}"' in html
    assert "<th>Call back</th>" not in html and "<th>Call back</th>" in desk.content.decode()
    assert "/static/vendor/uplot/uPlot.iife.min.js" in html and "/static/wallboard/board.js" in html


def test_thresholds_from_settings_are_checked_at_start(settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from contactcenter.wallboard.config import FeederConfig

    settings.WALLBOARD_SERVICE_LEVEL_S = 30
    settings.WALLBOARD_THRESHOLDS = {"service_level": {"warn": 0.9, "bad": 0.7}, "waiting": None}
    bands = FeederConfig.from_settings().thresholds.bands
    assert (bands["service_level"].warn, bands["service_level"].bad) == (0.9, 0.7) and "waiting" not in bands
    assert (bands["longest_wait_s"].warn, bands["longest_wait_s"].bad) == (15.0, 30.0)  # from the 30 s target
    settings.WALLBOARD_THRESHOLDS = '{"aht_s": {"warn": 300, "bad": 480}}'  # CC_WALLBOARD_THRESHOLDS
    assert FeederConfig.from_settings().thresholds.level("aht_s", 400) == "warn"
    for wrong in ({"servce_level": {"warn": 1, "bad": 0}}, {"service_level": {"warn": 0.6, "bad": 0.8}},
                  {"asa_s": {"warn": 20}}, {"asa_s": {"warn": "soon", "bad": 40}}, "{not json", "[1]"):  # fmt: skip
        settings.WALLBOARD_THRESHOLDS = wrong
        with pytest.raises(ImproperlyConfigured, match="WALLBOARD_THRESHOLDS"):
            FeederConfig.from_settings()
