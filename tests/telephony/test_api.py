"""The configuration API: queues, agents, skills, trunks, business hours, inbound routes.
Admins write, supervisors read, agents are refused; every bad value is a 400 naming its field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from contactcenter.console.models import AgentProfile
from contactcenter.people.models import Agent, AgentSkill, HumanQueue, QueueMembership, Skill
from contactcenter.people.roles import Role, set_role
from contactcenter.telephony.models import InboundRoute, Trunk
from pbx.api.telephony import SIP_REALM, agent_sip_password

pytestmark = pytest.mark.django_db

QUEUE = {"name": "billing", "strategy": "leastrecent", "ring_timeout_s": 20, "max_wait_s": 120, "wrap_up_s": 10,
         "service_level_s": 30}  # fmt: skip


def post(client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def patch(client, url: str, body: dict):
    return client.patch(url, body, content_type="application/json")


def user_with(role: Role, name: str):
    user = get_user_model().objects.create_user(name, password="x" * 12)
    set_role(user, role)
    return user


def test_a_queue_is_created_read_changed_and_deleted_by_name(admin_client, baseline) -> None:
    created = post(admin_client, "/api/queues/", {**QUEUE, "announce_position": True, "announce_frequency_s": 30})
    assert created.status_code == 201, created.json()
    assert created.json()["strategy"] == "leastrecent" and created.json()["members"] == []
    assert post(admin_client, "/api/queues/", {**QUEUE, "name": "overflow1"}).status_code == 201
    changed = patch(admin_client, "/api/queues/billing/", {"overflow_queue": "overflow1", "overflow_after_s": 60})
    assert changed.status_code == 200, changed.json()
    queue = HumanQueue.objects.get(name="billing")
    assert (queue.overflow_queue.name, queue.overflow_after_s, queue.wrap_up_s) == ("overflow1", 60, 10)
    # overflow1 is where billing overflows: it stays while it is.
    assert admin_client.delete("/api/queues/overflow1/").status_code == 409
    assert admin_client.delete("/api/queues/billing/").status_code == 204
    assert admin_client.delete("/api/queues/overflow1/").status_code == 204


@pytest.mark.parametrize("body, field", [
    ({"strategy": "fastest"}, "strategy"),
    ({"ring_timeout_s": 0}, "ring_timeout_s"),
    ({"max_wait_s": 2}, "max_wait_s"),
    ({"service_level_s": 0}, "service_level_s"),
    ({"name": "bad name"}, "name"),
    ({"name": "x;y"}, "name"),
    ({"music_class": "a b"}, "music_class"),
    ({"music_class": "calm"}, "music_class"),  # well formed, but Asterisk has no such class
    ({"overflow_queue": "nowhere", "overflow_after_s": 30}, "overflow_queue"),
    ({"overflow_queue": "support"}, "overflow_after_s"),
    ({"overflow_after_s": 30}, "overflow_queue"),
    ({"required_skill": "juggling"}, "required_skill"),
])  # fmt: skip
def test_a_bad_queue_is_refused_naming_the_field(admin_client, baseline, body: dict, field: str) -> None:
    response = post(admin_client, "/api/queues/", {**QUEUE, **body})
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()


def test_a_queue_is_created_with_its_pbx_settings_named(admin_client, baseline) -> None:
    response = post(admin_client, "/api/queues/", {"name": "sales"})
    assert response.status_code == 400
    assert {"strategy", "ring_timeout_s", "max_wait_s", "wrap_up_s", "service_level_s"} <= set(response.json())


def test_a_queue_cannot_switch_to_or_from_an_ordered_strategy(admin_client, baseline) -> None:
    post(admin_client, "/api/queues/", QUEUE)
    refused = patch(admin_client, "/api/queues/billing/", {"strategy": "linear"})
    assert refused.status_code == 400 and "cannot switch" in refused.json()["strategy"][0]
    assert patch(admin_client, "/api/queues/billing/", {"strategy": "ringall"}).status_code == 200
    post(admin_client, "/api/queues/", {**QUEUE, "name": "ordered", "strategy": "rrordered"})
    assert patch(admin_client, "/api/queues/ordered/", {"strategy": "linear"}).status_code == 200
    assert patch(admin_client, "/api/queues/ordered/", {"strategy": "rrmemory"}).status_code == 400


def test_the_failsafe_queue_cannot_be_deleted(admin_client, baseline, settings) -> None:
    response = admin_client.delete("/api/queues/support/")
    assert response.status_code == 409 and "fail-safe" in response.json()["detail"]
    assert HumanQueue.objects.filter(name="support").exists()
    settings.CC_FAILSAFE_QUEUE = "billing"
    post(admin_client, "/api/queues/", QUEUE)
    assert admin_client.delete("/api/queues/billing/").status_code == 409
    assert admin_client.delete("/api/queues/support/").status_code == 204


def test_an_agent_with_queues_penalties_skills_and_a_user(admin_client, baseline) -> None:
    post(admin_client, "/api/queues/", QUEUE)
    post(admin_client, "/api/skills/", {"name": "hindi", "description": "speaks Hindi"})
    user_with(Role.AGENT, "asha")
    body = {"name": "agent7", "display_name": "Asha", "queues": ["support", "billing"], "penalties": {"billing": 3},
            "skills": [{"skill": "hindi", "level": 8}], "transport": "tcp", "username": "asha"}  # fmt: skip
    created = post(admin_client, "/api/agents/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert sorted(data["queues"]) == ["billing", "support"] and data["penalties"] == {"support": 0, "billing": 3}
    assert data["skills"] == [{"skill": "hindi", "level": 8}] and data["username"] == "asha"
    assert data["transport"] == "tcp" and "password" not in data
    agent = Agent.objects.get(name="agent7")
    assert AgentProfile.objects.get(agent=agent).user.username == "asha"

    changed = patch(admin_client, "/api/agents/agent7/", {"queues": ["billing"], "penalties": {"billing": 0},
                                                          "skills": [], "username": None})  # fmt: skip
    assert changed.status_code == 200, changed.json()
    assert list(QueueMembership.objects.filter(agent=agent).values_list("queue__name", "penalty")) == [("billing", 0)]
    assert not AgentSkill.objects.filter(agent=agent).exists() and not AgentProfile.objects.filter(agent=agent).exists()
    assert patch(admin_client, "/api/agents/agent7/", {"display_name": "Asha R"}).json()["queues"] == ["billing"]
    assert admin_client.delete("/api/agents/agent7/").status_code == 204


@pytest.mark.parametrize("body, field", [
    ({"queues": ["nowhere"]}, "queues"),
    ({"penalties": {"billing": 1}}, "penalties"),  # not one of its queues
    ({"penalties": {"support": 101}}, "penalties"),
    ({"skills": [{"skill": "juggling", "level": 3}]}, "skills"),
    ({"skills": [{"skill": "hindi", "level": 11}]}, "skills"),
    ({"transport": "carrier-pigeon"}, "transport"),
    ({"static_contact": "http://x"}, "static_contact"),
    ({"name": "agent 1"}, "name"),
    ({"name": "trunk"}, "name"),  # a trunk's endpoint already
    ({"username": "nobody"}, "username"),
])  # fmt: skip
def test_a_bad_agent_is_refused_naming_the_field(admin_client, baseline, body: dict, field: str) -> None:
    Skill.objects.create(name="hindi")
    response = post(admin_client, "/api/agents/", {"name": "agent7", "queues": ["support"], **body})
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not Agent.objects.exists()


def test_credentials_for_an_admin_and_the_agents_own_user_and_rotation(client, admin_client, baseline, settings) -> None:
    settings.CONSOLE_SIP_SECRET = "the-installation-secret"
    own, other = user_with(Role.AGENT, "asha"), user_with(Role.AGENT, "ravi")
    post(admin_client, "/api/agents/", {"name": "agent7", "queues": ["support"], "username": "asha"})
    post(admin_client, "/api/agents/", {"name": "agent8", "queues": ["support"], "username": "ravi"})
    shown = admin_client.get("/api/agents/agent7/credentials/").json()
    salt = Agent.objects.get(name="agent7").sip_password_salt
    assert shown == {"username": "agent7", "password": agent_sip_password("the-installation-secret", "agent7", 0, salt=salt),
                     "realm": SIP_REALM, "transport": "udp", "sip_port": settings.STACK.ports.sip, "generation": 0}
    client.force_login(own)
    assert client.get("/api/agents/agent7/credentials/").json()["password"] == shown["password"]
    client.force_login(other)
    assert client.get("/api/agents/agent7/credentials/").status_code == 403
    assert client.post("/api/agents/agent8/credentials/rotate/").status_code == 403
    rotated = admin_client.post("/api/agents/agent7/credentials/rotate/").json()
    assert rotated["generation"] == 1 and rotated["password"] != shown["password"]
    new_salt = Agent.objects.get(name="agent7").sip_password_salt
    assert new_salt != salt and rotated["password"] == agent_sip_password("the-installation-secret", "agent7", 1,
                                                                          salt=new_salt)  # fmt: skip
    client.force_login(user_with(Role.SUPERVISOR, "boss"))
    assert client.get("/api/agents/agent7/credentials/").status_code == 403
    assert client.get("/api/agents/agent7/").status_code == 200


TRUNK = {"name": "carrier", "host": "sip.carrier.example", "port": 5060, "transport": "udp", "username": "acct",
         "password": "s3cret!", "registers": True, "caller_id": "+911800100100",
         "destination_patterns": ["_+91XXXXXXXXXX"], "max_channels": 30}  # fmt: skip


def test_a_trunks_password_is_written_never_read(admin_client, baseline) -> None:
    created = post(admin_client, "/api/trunks/", TRUNK)
    assert created.status_code == 201, created.json()
    assert "password" not in created.json() and "password" not in admin_client.get("/api/trunks/carrier/").json()
    assert Trunk.objects.get(name="carrier").password == "s3cret!"
    assert patch(admin_client, "/api/trunks/carrier/", {"max_channels": 10}).status_code == 200
    assert Trunk.objects.get(name="carrier").password == "s3cret!"  # kept when not given


@pytest.mark.parametrize("body, field", [
    ({"destination_patterns": ["_+91X;Dial(x)"]}, "destination_patterns"),
    ({"destination_patterns": "_X."}, "destination_patterns"),
    ({"host": "evil host;"}, "host"),
    ({"port": 70000}, "port"),
    ({"transport": "webrtc"}, "transport"),
    ({"caller_id": "1800100100"}, "caller_id"),
    ({"password": 'a"b'}, "password"),
    ({"password": ""}, "registers"),  # registration needs a password
    ({"name": "car rier"}, "name"),
])  # fmt: skip
def test_a_bad_trunk_is_refused_naming_the_field(admin_client, baseline, body: dict, field: str) -> None:
    response = post(admin_client, "/api/trunks/", {**TRUNK, **body})
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()


def test_a_trunk_a_campaign_dials_through_is_not_deleted(admin_client, make_campaign) -> None:
    post(admin_client, "/api/trunks/", TRUNK)
    make_campaign(trunk="carrier")
    response = admin_client.delete("/api/trunks/carrier/")
    assert response.status_code == 409 and "campaign" in response.json()["detail"]


def test_hours_and_routes_to_a_flow_and_to_a_queue(admin_client, make_campaign) -> None:
    campaign = make_campaign()
    hours = {"name": "office", "timezone": "Asia/Kolkata",
             "windows": [{"weekday": d, "opens": "09:00", "closes": "18:00"} for d in range(5)],
             "holidays": [{"date": "2026-10-20", "name": "Diwali"}]}  # fmt: skip
    assert post(admin_client, "/api/business-hours/", hours).status_code == 201
    flow = post(admin_client, "/api/inbound-routes/", {"did": "+918000100100", "target": "flow",
                                                        "campaign": campaign.pk, "hours": "office",
                                                        "after_hours": "callback"})  # fmt: skip
    assert flow.status_code == 201, flow.json()
    queue = post(admin_client, "/api/inbound-routes/", {"did": "+918000100200", "target": "queue", "queue": "support"})
    assert queue.status_code == 201, queue.json()
    assert admin_client.get("/api/inbound-routes/918000100100/").json()["hours"] == "office"
    assert patch(admin_client, "/api/inbound-routes/+918000100200/", {"enabled": False}).status_code == 200
    assert InboundRoute.objects.filter(enabled=True).count() == 1
    # The hours a route keeps are not deleted under it.
    assert admin_client.delete("/api/business-hours/office/").status_code == 409


@pytest.mark.parametrize("body, field", [
    ({"did": "8000100100"}, "did"),
    ({"did": "+91 800"}, "did"),
    ({"target": "flow"}, "campaign"),  # a flow route names its campaign
    ({"target": "queue", "queue": None}, "queue"),
    ({"target": "queue", "queue": "nowhere"}, "queue"),
    ({"target": "ivr"}, "target"),
    ({"after_hours": "hang_up"}, "after_hours"),
    ({"after_hours_sound": "../../etc/passwd"}, "after_hours_sound"),
    ({"hours": "never"}, "hours"),
])  # fmt: skip
def test_a_bad_route_is_refused_naming_the_field(admin_client, baseline, body: dict, field: str) -> None:
    response = post(admin_client, "/api/inbound-routes/", {"did": "+918000100100", "target": "queue",
                                                            "queue": "support", **body})  # fmt: skip
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()


@pytest.mark.parametrize("window, field", [
    ({"weekday": 7, "opens": "09:00", "closes": "18:00"}, "windows"),
    ({"weekday": 1, "opens": "18:00", "closes": "09:00"}, "windows"),
])  # fmt: skip
def test_bad_hours_are_refused_naming_the_field(admin_client, window: dict, field: str) -> None:
    response = post(admin_client, "/api/business-hours/", {"name": "office", "windows": [window]})
    assert response.status_code == 400 and field in response.json(), response.json()
    response = post(admin_client, "/api/business-hours/", {"name": "office", "timezone": "Mars/Olympus"})
    assert response.status_code == 400 and "timezone" in response.json()


def test_an_agents_token_gets_403_on_every_configuration_write(client, baseline) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user_with(Role.AGENT, "asha"))
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    writes = [("post", "/api/queues/", QUEUE), ("patch", "/api/queues/support/", {"wrap_up_s": 5}),
              ("delete", "/api/queues/support/", {}), ("post", "/api/agents/", {"name": "me", "queues": ["support"]}),
              ("post", "/api/skills/", {"name": "x"}), ("post", "/api/trunks/", TRUNK),
              ("patch", "/api/trunks/trunk/", {"host": "evil.example"}), ("delete", "/api/trunks/trunk/", {}),
              ("post", "/api/inbound-routes/", {"did": "+918000100100", "target": "queue", "queue": "support"}),
              ("post", "/api/business-hours/", {"name": "x"})]  # fmt: skip
    for method, url, body in writes:
        response = client.generic(method.upper(), url, __import__("json").dumps(body), content_type="application/json",
                                  **headers)  # fmt: skip
        assert response.status_code == 403, (method, url, response.status_code)
    assert client.get("/api/queues/", **headers).status_code == 403  # configuration is not the agent's to read
    assert Trunk.objects.get(name="trunk").host == "127.0.0.1" and not Agent.objects.exists()


def test_an_agent_cannot_take_a_trunks_name_wherever_it_is_made(baseline) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="a trunk has this name"):
        Agent(name="trunk").full_clean()  # the admin's form asks the same clean
