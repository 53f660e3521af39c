"""The supervisors' page and API without pbx: who may ask, what a request must carry, what is
refused and why. Nothing reaches a Redis here (``REDIS_URL`` points where nothing listens): a
request that gets as far as sending answers 503, and changes nothing. The commands on a real
stream are in test_realstack.py."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from contactcenter.console.models import AgentProfile
from contactcenter.people.models import Agent, AgentState, HumanQueue, PauseReason
from contactcenter.people.roles import Role
from contactcenter.people.sip_credentials import sip_password
from contactcenter.supervisors.models import SupervisorProfile
from tests.console.factories import make_world
from tests.supervisors.factories import make_pause_reasons, make_supervisor, make_user

pytestmark = pytest.mark.django_db

CALL = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def no_redis(settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CONSOLE_SIP_SECRET = "unit-secret"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, body: object = None):
    return client.post(url, json.dumps(body if body is not None else {}), content_type="application/json")


def endpoints(agent: str) -> list[tuple[str, str, dict]]:
    return [
        ("get", "/api/supervisor/session/", {}),
        ("post", f"/api/supervisor/calls/{CALL}/supervise/", {"mode": "listen"}),
        ("post", f"/api/supervisor/calls/{CALL}/stop/", {}),
        ("post", f"/api/supervisor/calls/{CALL}/takeover/", {"to": "phone"}),
        ("post", f"/api/supervisor/agents/{agent}/pause/", {"reason": "Lunch"}),
        ("post", f"/api/supervisor/agents/{agent}/log-out/", {}),
    ]


def test_supervisors_and_admins_may_agents_and_strangers_may_not() -> None:
    world = make_world()
    make_pause_reasons()
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    people = {"anonymous": None, "agent": world.user, "supervisor": make_supervisor("sam"),
              "admin": make_supervisor("ada", Role.ADMIN, phone="sup-ada"),
              "role-less": make_user("nobody", role=None)}  # fmt: skip
    for who, user in people.items():
        client = client_of(user)
        for method, url, body in endpoints(world.agent.name):
            response = client.get(url) if method == "get" else post(client, url, body)
            if who in ("supervisor", "admin"):
                # Through the door: the session, or as far as sending (no Redis here: 503).
                assert response.status_code == (200 if method == "get" else 503), (who, url, response.content)
            else:
                assert response.status_code == 403, (who, url, response.status_code)
        page = client.get("/supervisor/")
        expected = {"anonymous": 302, "supervisor": 200, "admin": 200}.get(who, 403)
        assert page.status_code == expected, (who, page.status_code)
        if who == "anonymous":
            assert page["Location"].startswith("/login/?next=/supervisor/")
    # Nothing was sent, so nothing changed: the agent is still available.
    assert Agent.objects.get(pk=world.agent.pk).state == AgentState.AVAILABLE


def test_the_page_loads_the_shared_phone_and_its_script() -> None:
    page = client_of(make_supervisor()).get("/supervisor/")
    html = page.content.decode()
    for script in ("jssip/jssip.min.js", "phone/phone.js", "supervisors/supervisor.js"):
        assert f"/static/{script}" in html
    assert "csrftoken" in page.cookies  # its POSTs carry the token
    from django.contrib.staticfiles import finders

    assert finders.find("phone/phone.js") and finders.find("supervisors/supervisor.js")


def test_each_wrong_field_is_named() -> None:
    world = make_world()
    make_pause_reasons("Lunch", "Coaching")
    PauseReason.objects.create(label="Retired reason", active=False)
    client = client_of(make_supervisor())
    calls = "/api/supervisor/calls"
    cases = [
        (f"{calls}/not-a-call/supervise/", {"mode": "listen"}, "call_id"),
        (f"{calls}/{CALL.upper()}/stop/", {}, "call_id"),
        (f"{calls}/{CALL}/supervise/", {}, "mode"),
        (f"{calls}/{CALL}/supervise/", {"mode": "spy"}, "mode"),
        (f"{calls}/{CALL}/takeover/", {"to": "desk"}, "to"),
        (f"{calls}/{CALL}/takeover/", {}, "to"),
        (f"/api/supervisor/agents/{world.agent.name}/pause/", {}, "reason"),
        (f"/api/supervisor/agents/{world.agent.name}/pause/", {"reason": "Gone fishing"}, "reason"),
        (f"/api/supervisor/agents/{world.agent.name}/pause/", {"reason": "Retired reason"}, "reason"),
    ]
    for url, body, field in cases:
        response = post(client, url, body)
        assert response.status_code == 400, (url, body, response.content)
        assert field in response.json(), (url, body, response.json())
    assert "Lunch, Coaching" in str(post(client, cases[-1][0], {"reason": "x"}).json()["reason"])
    # Not JSON, or JSON that is not an object.
    bad = client.post(f"{calls}/{CALL}/supervise/", "{mode", content_type="application/json")
    assert bad.status_code == 400
    assert post(client, f"{calls}/{CALL}/supervise/", ["listen"]).status_code == 400
    # An agent that does not exist.
    assert post(client, "/api/supervisor/agents/nobody/pause/", {"reason": "Lunch"}).status_code == 404


def test_the_supervisor_is_the_logged_in_user_with_their_profiles_phone_and_queue() -> None:
    from contactcenter.supervisors import services

    sent = []

    class Link:
        def send(self, commands) -> None:
            sent.extend(commands)

    user = make_supervisor("sam")
    supervisor = services.supervisor_of(user)
    assert (supervisor.name, supervisor.phone, supervisor.queue) == ("sam", "sup-sam", "supervisors")
    services.send(services.commands.stop(supervisor, CALL), Link())
    assert sent[0].supervisor == "sam"


def test_without_a_phone_or_queue_the_request_is_refused_with_what_to_do() -> None:
    bare = client_of(make_supervisor("sam", phone=None))
    for url, body in ((f"/api/supervisor/calls/{CALL}/supervise/", {"mode": "listen"}),
                      (f"/api/supervisor/calls/{CALL}/takeover/", {"to": "phone"})):  # fmt: skip
        response = post(bare, url, body)
        assert response.status_code == 409 and "no phone" in response.json()["detail"], response.content
    no_queue = client_of(make_supervisor("tess", phone="sup-tess", queue=None))
    response = post(no_queue, f"/api/supervisor/calls/{CALL}/takeover/", {"to": "queue"})
    assert response.status_code == 409 and "no queue" in response.json()["detail"]


def test_a_busy_or_logged_out_agent_is_not_forced_and_keeps_its_state() -> None:
    world = make_world()
    make_pause_reasons()
    client = client_of(make_supervisor())
    url = f"/api/supervisor/agents/{world.agent.name}/"
    for state in (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP):
        Agent.objects.filter(pk=world.agent.pk).update(state=state)
        for action, body in (("pause/", {"reason": "Lunch"}), ("log-out/", {})):
            response = post(client, url + action, body)
            assert response.status_code == 409 and "once the call is over" in response.json()["detail"]
            assert Agent.objects.get(pk=world.agent.pk).state == state
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.OFFLINE)
    response = post(client, url + "pause/", {"reason": "Lunch"})
    assert response.status_code == 409 and "logged out" in response.json()["detail"]


def test_when_pbx_cannot_be_told_the_agent_keeps_its_state() -> None:
    world = make_world()
    make_pause_reasons()
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE, pause_reason="")
    response = post(client_of(make_supervisor()), f"/api/supervisor/agents/{world.agent.name}/pause/",
                    {"reason": "Lunch"})  # fmt: skip
    assert response.status_code == 503 and "nothing was sent" in response.json()["detail"]
    agent = Agent.objects.get(pk=world.agent.pk)
    assert (agent.state, agent.pause_reason) == (AgentState.AVAILABLE, "")


def test_a_session_post_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_supervisor())
    url = f"/api/supervisor/calls/{CALL}/stop/"
    refused = client.post(url, "{}", content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    token = client.get("/supervisor/").cookies["csrftoken"].value
    allowed = client.post(url, "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 503  # past the door and the token: only Redis is missing here


def test_the_session_gives_the_phone_its_credentials_the_reasons_and_the_feed() -> None:
    make_pause_reasons("Lunch", "Coaching")
    PauseReason.objects.create(label="Retired reason", active=False)
    make_supervisor("ada", Role.ADMIN, phone="sup-ada", transport="udp", queue=None)
    session = client_of(make_supervisor("sam")).get("/api/supervisor/session/")
    assert session["Cache-Control"] == "no-store"
    data = session.json()
    phone = Agent.objects.get(name="sup-sam")
    assert data["user"] == "sam" and data["supervisor_queue"] == "supervisors"
    assert data["phone"]["name"] == "sup-sam" and data["phone"]["transport"] == "webrtc"
    assert data["phone"]["sip"]["uri"].startswith("sip:sup-sam@")
    assert data["phone"]["sip"]["password"] == sip_password(phone)
    assert data["pause_reasons"] == ["Lunch", "Coaching"]
    assert sorted(data["supervisor_phones"]) == ["sup-ada", "sup-sam"]
    assert data["websocket"] == "/ws/wallboard/"
    desk = (
        client_of(SupervisorProfile.objects.get(phone__name="sup-ada").user)
        .get("/api/supervisor/session/")
        .json()
    )
    assert desk["phone"] == {
        "name": "sup-ada",
        "transport": "udp",
        "sip": None,
    }  # a desk phone: nothing to register
    assert desk["supervisor_queue"] is None
    bare = client_of(make_supervisor("tess", phone=None)).get("/api/supervisor/session/").json()
    assert bare["phone"] is None


def test_a_profile_refuses_an_agents_phone_a_queue_members_and_a_user_without_the_role() -> None:
    world = make_world()
    sam = make_user("sam")
    with pytest.raises(ValidationError) as console_phone:
        SupervisorProfile(user=sam, phone=world.agent).full_clean()
    assert "console phone" in str(console_phone.value.message_dict["phone"])
    member = Agent.objects.create(name="sup-member")
    member.queues.add(HumanQueue.objects.get_or_create(name="care")[0])
    with pytest.raises(ValidationError) as in_queue:
        SupervisorProfile(user=sam, phone=member).full_clean()
    assert "answers a queue" in str(in_queue.value.message_dict["phone"])
    free = Agent.objects.create(name="sup-free")
    with pytest.raises(ValidationError) as no_role:
        SupervisorProfile(user=make_user("ann", Role.AGENT), phone=free).full_clean()
    assert "supervisor" in str(no_role.value.message_dict["user"])
    SupervisorProfile(user=sam, phone=free).full_clean()  # a supervisor and a free endpoint: fine
    assert not AgentProfile.objects.filter(agent=free).exists()
