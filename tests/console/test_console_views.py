"""The console through Django's test client: log-in, credentials from the server, state, a call's life."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from contactcenter.campaigns.models import AttemptStatus, LeadStatus
from contactcenter.console.models import CallStatus, ConsoleCall
from contactcenter.people.agents import apply_phone_state
from contactcenter.people.models import Agent, AgentState, PauseReason
from contactcenter.people.roles import Role, set_role
from pbx.api import AgentStateChanged, agent_sip_password
from tests.console.factories import PASSWORD, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.CONSOLE_SIP_SECRET = "unit-secret"
    settings.CONSOLE_SIP_WS_URL = "ws://127.0.0.1:18088/ws"
    return make_world()


@pytest.fixture
def agent_client(world) -> Client:
    client = Client()
    assert client.login(username="priya", password=PASSWORD)
    return client


def post(client: Client, path: str, body: dict) -> tuple[int, dict]:
    response = client.post(f"/console/api/{path}", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_console_needs_a_login_and_an_agent(world) -> None:
    anonymous = Client()
    assert anonymous.get("/console/")["Location"].startswith("/console/login/")
    assert anonymous.get("/console/api/session").status_code == 401
    get_user_model().objects.create_user("clerk", password="clerk-password-1")
    clerk = Client()
    clerk.login(username="clerk", password="clerk-password-1")
    assert clerk.get("/console/").status_code == 403
    assert clerk.get("/console/api/session").status_code == 403


def test_login_form_leads_to_the_console(world) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/console/login/")
    token = page.cookies["csrftoken"].value
    response = client.post("/console/login/", {"username": "priya", "password": PASSWORD,
                                               "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/console/"
    page = client.get("/console/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/jssip/jssip.min.js" in html and "/static/console/console.js" in html
    salt = Agent.objects.get(name="webagent1").sip_password_salt
    assert agent_sip_password("unit-secret", "webagent1", salt=salt) not in html  # credentials come from the API only


def test_session_hands_out_this_agents_sip_credentials(agent_client: Client) -> None:
    response = agent_client.get("/console/api/session")
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["agent"]["name"] == "webagent1" and data["agent"]["queues"] == ["web"]
    sip = data["sip"]
    assert sip["uri"] == "sip:webagent1@127.0.0.1"
    assert sip["ws_url"] == "ws://127.0.0.1:18088/ws"
    # The same derivation the rendered pjsip.conf uses for this endpoint.
    salt = Agent.objects.get(name="webagent1").sip_password_salt
    assert salt and sip["password"] == agent_sip_password("unit-secret", "webagent1", salt=salt)
    assert sip["pause_uri"] == "sip:cc-pause@127.0.0.1" and sip["unpause_uri"] == "sip:cc-unpause@127.0.0.1"
    assert {d["code"] for d in data["dispositions"]} == {"resolved", "call_back"}


def test_state_buttons_update_the_agent_and_say_what_the_phone_does(agent_client: Client, world) -> None:
    status, body = post(agent_client, "state", {"state": "available"})
    assert status == 200 and body == {"state": "available", "queue_action": "unpause", "register": True, "reason": ""}
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.AVAILABLE and world.agent.state_changed_at is not None
    assert post(agent_client, "state", {"state": "paused", "reason": "Lunch"})[1]["queue_action"] == "pause"
    assert post(agent_client, "state", {"state": "offline"})[1] == {"state": "offline", "queue_action": "pause",
                                                                   "register": False, "reason": ""}  # fmt: skip
    status, body = post(agent_client, "state", {"state": "on_call"})
    assert status == 409 and "cannot choose" in body["error"]


def test_a_pause_needs_a_reason_from_the_admins_active_list(agent_client: Client, world) -> None:
    PauseReason.objects.all().delete()
    PauseReason.objects.create(label="Lunch", order=1)
    PauseReason.objects.create(label="Coaching", order=2)
    PauseReason.objects.create(label="Smoke break", active=False)
    assert agent_client.get("/console/api/session").json()["pause_reasons"] == ["Lunch", "Coaching"]
    post(agent_client, "state", {"state": "available"})
    for refused in ({"state": "paused"}, {"state": "paused", "reason": "Smoke break"},
                    {"state": "paused", "reason": "Holiday"}, {"state": "available", "reason": "Lunch"}):
        status, body = post(agent_client, "state", refused)
        assert status == 400 and body["error"], refused
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.AVAILABLE and world.agent.pause_reason == ""

    status, body = post(agent_client, "state", {"state": "paused", "reason": "Coaching"})
    assert status == 200 and body["state"] == "paused" and body["reason"] == "Coaching"
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.PAUSED and world.agent.pause_reason == "Coaching"
    session = agent_client.get("/console/api/session").json()
    assert session["agent"]["state"] == "paused" and session["agent"]["reason"] == "Coaching"
    # Any other state clears it.
    post(agent_client, "state", {"state": "available"})
    world.agent.refresh_from_db()
    assert world.agent.pause_reason == ""
    # Without any active reason the admin keeps, a pause needs none.
    PauseReason.objects.update(active=False)
    assert post(agent_client, "state", {"state": "paused"})[0] == 200


def test_a_call_from_ringing_to_disposition(agent_client: Client, world) -> None:
    post(agent_client, "state", {"state": "available"})
    status, pop = post(agent_client, "calls", {
        "sip_call_id": "abc@browser", "call_id": world.attempt.call_id, "queue": "web", "reason": "anger",
        "score": "0.91", "summary": "Customer is shouting about a late delivery.",
    })  # fmt: skip
    assert status == 201
    assert pop["reason"] == "anger" and pop["reason_label"] == "Customer is angry" and pop["score"] == 0.91
    assert pop["summary"] == "Customer is shouting about a late delivery."
    # The lead comes from Django by pbx's call id: the INVITE does not have to carry it.
    assert pop["lead"]["name"] == "Asha" and pop["lead"]["fields"]["order_id"] == "A1001"
    assert pop["attempt"] == {"id": world.attempt.pk, "number": 1}
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.RINGING
    # The same INVITE reported twice (a retry) is one call.
    assert post(agent_client, "calls", {"sip_call_id": "abc@browser"})[1]["id"] == pop["id"]

    assert post(agent_client, f"calls/{pop['id']}/answered", {})[1]["status"] == "answered"
    status, body = post(agent_client, "state", {"state": "paused", "reason": "Lunch"})
    assert status == 409 and "finish the call" in body["error"]
    status, ended = post(agent_client, f"calls/{pop['id']}/ended", {"cause": "Terminated"})
    assert ended["status"] == "ended" and ended["state"] == "wrap_up" and ended["queue_action"] == "pause"
    assert agent_client.get("/console/api/session").json()["pending_disposition"]["id"] == pop["id"]
    assert post(agent_client, "state", {"state": "available"})[0] == 409  # disposition first
    # pbx's word that the phone hung up (Queue()'s AgentComplete, a reserved agent's Dial ending)
    # may come after the console's: the agent is still wrapping up.
    hung_up = AgentStateChanged(agent=world.agent.name, state=AgentState.AVAILABLE)
    assert not apply_phone_state(hung_up, timezone.now())
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.WRAP_UP

    status, done = post(agent_client, f"calls/{pop['id']}/disposition", {"code": "resolved", "note": "refund"})
    assert status == 200 and done["disposition"] == "resolved" and done["queue_action"] == "unpause"
    call = ConsoleCall.objects.get(pk=pop["id"])
    assert call.status == CallStatus.DISPOSED and call.disposition.code == "resolved" and call.note == "refund"
    assert call.disposed_by == world.user
    world.attempt.refresh_from_db()
    world.lead.refresh_from_db()
    assert world.attempt.disposition.code == "resolved" and world.attempt.disposed_by == world.user
    assert world.lead.status == LeadStatus.DONE
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.AVAILABLE
    assert post(agent_client, f"calls/{pop['id']}/disposition", {"code": "resolved"})[0] == 409


def test_a_lead_id_from_the_browser_alone_shows_nothing_and_a_missed_call_needs_no_disposition(
        agent_client: Client, world) -> None:  # fmt: skip
    status, pop = post(agent_client, "calls", {"sip_call_id": "x@y", "reason": "human_request",
                                               "lead_id": str(world.lead.pk)})  # fmt: skip
    # What the INVITE said is shown; the lead it names is not looked up (the browser can forge it).
    assert status == 201 and pop["reason"] == "human_request" and pop["lead"] is None and pop["attempt"] is None
    status, ended = post(agent_client, f"calls/{pop['id']}/ended", {"cause": "Canceled"})
    assert ended["status"] == CallStatus.MISSED and ended["queue_action"] == ""
    assert post(agent_client, f"calls/{pop['id']}/disposition", {"code": "resolved"})[0] == 409


def offer(client: Client, call_id: str, sip_call_id: str = "s@browser") -> dict:
    status, pop = post(client, "calls", {"sip_call_id": sip_call_id, "call_id": call_id, "reason": "anger"})
    assert status == 201
    return pop


def test_a_call_id_shows_its_lead_only_when_the_call_is_this_agents(agent_client: Client, world) -> None:
    attempt = world.attempt
    # Escalated to a queue this agent is not in: nothing of the lead, nor of the transcript.
    attempt.escalation_queue = "billing"
    attempt.save()
    assert offer(agent_client, attempt.call_id, "a@b")["lead"] is None
    # Before pbx's escalation reaches Django, the campaign's queue is where the call is headed.
    attempt.escalation_queue = ""
    attempt.save()
    assert offer(agent_client, attempt.call_id, "b@b")["lead"]["name"] == "Asha"
    # Answered by another agent, or over: not this agent's (any more).
    attempt.agent = "webagent9"
    attempt.save()
    assert offer(agent_client, attempt.call_id, "c@b")["lead"] is None
    attempt.agent, attempt.status = "", AttemptStatus.ENDED
    attempt.save()
    assert offer(agent_client, attempt.call_id, "d@b")["lead"] is None
    # A call this agent answered stays theirs after it ended: for its disposition.
    attempt.agent = "webagent1"
    attempt.save()
    assert offer(agent_client, attempt.call_id, "e@b")["attempt"] == {"id": attempt.pk, "number": 1}


def test_a_call_confirmed_late_gets_its_lead_on_answer_and_its_disposition_reaches_the_attempt(
        agent_client: Client, world) -> None:  # fmt: skip
    world.attempt.escalation_queue = "billing"  # the INVITE outran pbx's events: not confirmed when it rang
    world.attempt.save()
    pop = offer(agent_client, world.attempt.call_id)
    assert pop["lead"] is None
    world.attempt.agent = "webagent1"  # pbx: this agent answered it
    world.attempt.save()
    status, answered = post(agent_client, f"calls/{pop['id']}/answered", {})
    assert status == 200 and answered["status"] == "answered" and answered["lead"]["name"] == "Asha"
    post(agent_client, f"calls/{pop['id']}/ended", {"cause": "Terminated"})
    assert post(agent_client, f"calls/{pop['id']}/disposition", {"code": "resolved"})[0] == 200
    world.attempt.refresh_from_db()
    assert world.attempt.disposition.code == "resolved"


def test_an_unconfirmed_calls_disposition_stays_on_the_console(agent_client: Client, world) -> None:
    world.attempt.escalation_queue = "billing"
    world.attempt.save()
    pop = offer(agent_client, world.attempt.call_id)
    post(agent_client, f"calls/{pop['id']}/answered", {})
    post(agent_client, f"calls/{pop['id']}/ended", {"cause": "Terminated"})
    assert post(agent_client, f"calls/{pop['id']}/disposition", {"code": "resolved"})[0] == 200
    world.attempt.refresh_from_db()
    world.lead.refresh_from_db()
    assert world.attempt.disposition is None and world.lead.status != LeadStatus.DONE


def test_agents_cannot_touch_each_others_calls(agent_client: Client, world) -> None:
    _, pop = post(agent_client, "calls", {"sip_call_id": "mine@browser"})
    from contactcenter.console.models import AgentProfile
    from contactcenter.people.models import Agent

    bob = get_user_model().objects.create_user("bob", password="bob-password-1")
    set_role(bob, Role.AGENT)
    AgentProfile.objects.create(user=bob, agent=Agent.objects.create(name="webagent2"))
    client = Client()
    client.login(username="bob", password="bob-password-1")
    # Another agent's call is no call at all to bob: 404, as for a call that does not exist.
    for action in ("answered", "ended", "disposition"):
        status, body = post(client, f"calls/{pop['id']}/{action}", {"code": "resolved"})
        assert status == 404 and "no such call" in body["error"], action
    assert ConsoleCall.objects.get(pk=pop["id"]).status == CallStatus.RINGING


def test_the_console_is_for_the_agent_role(world) -> None:
    """A supervisor or admin linked to an agent still has no console: it is the agent role's."""
    set_role(world.user, Role.SUPERVISOR)
    client = Client()
    client.login(username="priya", password=PASSWORD)
    assert client.get("/console/").status_code == 403
    assert client.get("/console/api/session").status_code == 403


def test_bad_requests_are_json_errors(agent_client: Client) -> None:
    response = agent_client.post("/console/api/state", "not json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["error"]
    assert post(agent_client, "calls", {})[0] == 409


def test_console_agent_command_makes_a_working_login(settings, tmp_path) -> None:
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("console_agent", "--user", "demo-agent")
    call_command("console_agent", "--user", "demo-agent")  # idempotent: same password
    password = (tmp_path / "console-demo-agent-password.txt").read_text().strip()
    client = Client()
    assert client.login(username="demo-agent", password=password)
    data = client.get("/console/api/session").json()
    assert data["agent"]["name"] == "webagent1" and data["agent"]["queues"] == ["support"]
    assert len(data["dispositions"]) == 3


def test_every_escalation_reason_has_words_an_agent_reads() -> None:
    from contactcenter.console.screenpop import REASON_LABELS
    from pbx.api import EscalationReason

    assert set(REASON_LABELS) == {reason.value for reason in EscalationReason}
