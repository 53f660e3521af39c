"""Timed wrap-up (the server keeps the time), today's call history, and the generated ringtone."""

from __future__ import annotations

import datetime as dt
import io
import json
import wave
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from contactcenter.campaigns.models import Disposition
from contactcenter.campaigns.services import ActionError
from contactcenter.console import history, services
from contactcenter.console.models import AgentProfile, CallStatus, ConsoleCall
from contactcenter.people.models import Agent, AgentState, HumanQueue
from contactcenter.people.roles import Role, set_role
from tests.console.factories import PASSWORD, make_world

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def world():
    world = make_world()
    HumanQueue.objects.filter(pk=world.queue.pk).update(wrap_up_s=30)
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    return world


def talk(world, sip_call_id: str = "a@b", ended: float = 0.0, queue: str = "web") -> ConsoleCall:
    """A call offered (the INVITE naming ``queue``), answered and hung up at ``ended`` seconds after T0."""
    call = services.do_offer_call(world.agent.pk, sip_call_id=sip_call_id, call_id=world.attempt.call_id,
                                  queue=queue, now=at(ended - 60))  # fmt: skip
    services.do_answered(world.agent.pk, call.pk, now=at(ended - 50))
    call, change = services.do_ended(world.agent.pk, call.pk, "Terminated", now=at(ended))
    assert change.state == AgentState.WRAP_UP and change.queue_action == "pause"
    return call


def state(world) -> tuple[str, str]:
    world.agent.refresh_from_db()
    return world.agent.state, world.agent.pause_reason


def test_a_timed_wrap_up_ends_when_the_server_says_and_the_disposition_fits_inside_it(world) -> None:
    call = talk(world)
    assert call.wrap_up_until == at(30)
    # The browser asking early changes nothing: the server keeps the time.
    with pytest.raises(ActionError, match="wrap-up ends in 20 s"):
        services.do_end_wrap_up(world.agent.pk, now=at(10))
    with pytest.raises(ActionError, match="wrap-up ends in 19 s"):
        services.do_set_state(world.agent.pk, "available", now=at(11))
    # The disposition during the wrap-up: saved, and the wrap-up goes on to its end.
    call, change = services.do_dispose(world.agent.pk, call.pk, "resolved", "refund issued", now=at(12))
    assert call.status == CallStatus.DISPOSED
    assert (change.state, change.queue_action, change.wrap_up_until) == (AgentState.WRAP_UP, "", at(30))
    assert state(world) == (AgentState.WRAP_UP, "")
    change = services.do_end_wrap_up(world.agent.pk, now=at(30))
    assert (change.state, change.queue_action) == (AgentState.AVAILABLE, "unpause")
    assert state(world) == (AgentState.AVAILABLE, "")


def test_an_agent_who_paused_during_wrap_up_stays_paused_and_a_late_disposition_frees_nobody(world) -> None:
    call = talk(world)
    services.do_set_state(world.agent.pk, "paused", now=at(5), reason="Lunch")
    change = services.do_end_wrap_up(world.agent.pk, now=at(31))
    assert (change.state, change.queue_action, change.reason) == (AgentState.PAUSED, "", "Lunch")
    assert state(world) == (AgentState.PAUSED, "Lunch")
    # The wrap-up is over; the disposition can still be saved, and the agent stays paused.
    _, change = services.do_dispose(world.agent.pk, call.pk, "resolved", now=at(90))
    assert (change.state, change.queue_action) == (AgentState.PAUSED, "")


def test_the_sweep_ends_wrap_ups_no_console_ended(world) -> None:
    talk(world)
    assert services.sweep_wrap_ups(at(29)) == 0
    assert state(world)[0] == AgentState.WRAP_UP
    assert services.sweep_wrap_ups(at(30)) == 1
    assert state(world)[0] == AgentState.AVAILABLE
    # Undisposed, the call stays for its disposition; the agent may take calls.
    assert ConsoleCall.objects.get().status == CallStatus.ENDED
    services.do_set_state(world.agent.pk, "available", now=at(40))


def test_a_queue_without_a_wrap_up_time_waits_for_the_disposition(world) -> None:
    HumanQueue.objects.update(wrap_up_s=0)
    call = talk(world)
    assert call.wrap_up_until is None
    with pytest.raises(ActionError, match="disposition"):
        services.do_end_wrap_up(world.agent.pk, now=at(3600))
    assert services.sweep_wrap_ups(at(3600)) == 0
    _, change = services.do_dispose(world.agent.pk, call.pk, "resolved", now=at(3601))
    assert (change.state, change.queue_action) == (AgentState.AVAILABLE, "unpause")


def test_the_wrap_up_is_the_known_queues_else_the_longest_of_the_agents(world) -> None:
    short = HumanQueue.objects.create(name="short", wrap_up_s=5)
    world.agent.queues.add(short)
    # Confirmed: the campaign attempt says the call came through "web" (30 s), whatever the INVITE said.
    assert talk(world, "a@b", queue="short").wrap_up_until == at(30)
    services.do_dispose(world.agent.pk, ConsoleCall.objects.get(sip_call_id="a@b").pk, "resolved", now=at(31))
    services.do_end_wrap_up(world.agent.pk, now=at(31))
    # The attempt escalated to "short": its 5 s.
    world.attempt.escalation_queue = "short"
    world.attempt.save()
    assert talk(world, "b@b", ended=100).wrap_up_until == at(105)
    services.do_dispose(world.agent.pk, ConsoleCall.objects.get(sip_call_id="b@b").pk, "resolved", now=at(106))
    services.do_end_wrap_up(world.agent.pk, now=at(106))
    # Not confirmed (no call id the server knows): the INVITE's queue is the browser's word, so the
    # longest of the agent's queues.
    call = services.do_offer_call(world.agent.pk, sip_call_id="c@b", queue="short", now=at(140))
    services.do_answered(world.agent.pk, call.pk, now=at(150))
    call, _ = services.do_ended(world.agent.pk, call.pk, now=at(200))
    assert call.wrap_up_until == at(230)


def api(client: Client, path: str, body: dict | None = None):
    if body is None:
        return client.get(f"/console/api/{path}")
    return client.post(f"/console/api/{path}", json.dumps(body), content_type="application/json")


def test_the_api_counts_down_from_the_servers_clock_and_refuses_an_early_end(world, client) -> None:
    assert client.login(username="priya", password=PASSWORD)
    pop = api(client, "calls", {"sip_call_id": "x@y", "call_id": world.attempt.call_id, "caller": "Asha"}).json()
    api(client, f"calls/{pop['id']}/answered", {})
    before = timezone.now().timestamp()
    ended = api(client, f"calls/{pop['id']}/ended", {"cause": "Terminated"}).json()
    assert ended["state"] == "wrap_up" and ended["wrap_up_until"] - ended["server_time"] == pytest.approx(30, abs=1)
    assert before <= ended["server_time"] <= timezone.now().timestamp()
    early = api(client, "wrap-up/end", {})
    assert early.status_code == 409 and "wrap-up ends in" in early.json()["error"]
    session = api(client, "session").json()
    assert session["agent"]["state"] == "wrap_up" and session["pending_disposition"]["id"] == pop["id"]
    assert session["agent"]["wrap_up_until"] == pytest.approx(ended["wrap_up_until"])


def test_history_is_todays_calls_of_this_agent_only(world, settings) -> None:
    settings.TIME_ZONE = "Asia/Kolkata"
    zone = ZoneInfo("Asia/Kolkata")
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=zone)
    midnight = dt.datetime(2026, 3, 2, 0, 0, tzinfo=zone)
    resolved = Disposition.objects.get(code="resolved")
    mine = dict(agent=world.agent, queue="web", reason="anger")
    ConsoleCall.objects.create(sip_call_id="y", offered_at=midnight - dt.timedelta(minutes=1), status="disposed",
                               **mine)  # fmt: skip
    talked = ConsoleCall.objects.create(
        sip_call_id="t", offered_at=midnight + dt.timedelta(hours=8), answered_at=midnight + dt.timedelta(hours=8, seconds=5),
        ended_at=midnight + dt.timedelta(hours=8, seconds=130), status="disposed", disposition=resolved,
        note="refund issued", lead=world.lead, caller="+15550001", **mine)  # fmt: skip
    ConsoleCall.objects.create(sip_call_id="m", offered_at=midnight + dt.timedelta(hours=8, minutes=30),
                               status="missed", caller="Unknown <+15550002>", **mine)  # fmt: skip
    other = Agent.objects.create(name="webagent2")
    ConsoleCall.objects.create(agent=other, sip_call_id="o", offered_at=midnight + dt.timedelta(hours=8), status="missed")

    rows = history.today(world.agent, now=now)
    assert [r["status"] for r in rows] == ["missed", "disposed"]  # newest first; yesterday's is gone
    missed, done = rows
    assert (missed["number"], missed["customer"], missed["talk_s"], missed["disposition"]) == (
        "Unknown <+15550002>", "", None, "")  # fmt: skip
    assert (done["number"], done["customer"], done["queue"], done["reason_label"]) == (
        "+919800000001", "Asha", "web", "Customer is angry")  # fmt: skip
    assert (done["talk_s"], done["disposition"], done["note"]) == (125, "Resolved", "refund issued")
    assert done["at"] == talked.offered_at.timestamp()



def test_the_history_api_shows_an_agent_their_own_calls_only(world, client) -> None:
    ConsoleCall.objects.create(agent=world.agent, sip_call_id="mine", offered_at=timezone.now(), status="missed")
    assert client.login(username="priya", password=PASSWORD)
    assert [c["status"] for c in api(client, "history").json()["calls"]] == ["missed"]
    assert api(Client(), "history").status_code == 401
    bob = get_user_model().objects.create_user("bob", password="bob-password-1")
    set_role(bob, Role.AGENT)
    AgentProfile.objects.create(user=bob, agent=Agent.objects.create(name="webagent3"))
    other = Client()
    other.login(username="bob", password="bob-password-1")
    assert api(other, "history").json() == {"calls": []}


def test_the_ringtone_is_generated_and_only_for_agents(world) -> None:
    anonymous = Client()
    assert anonymous.get("/console/ringtone.wav")["Location"].startswith("/console/login/")
    get_user_model().objects.create_user("clerk", password="clerk-password-1")
    clerk = Client()
    clerk.login(username="clerk", password="clerk-password-1")
    assert clerk.get("/console/ringtone.wav").status_code == 403

    agent = Client()
    agent.login(username="priya", password=PASSWORD)
    response = agent.get("/console/ringtone.wav")
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
    assert len(samples) == 32000  # one 2 s cycle, looped by the page
    spectrum = np.abs(np.fft.rfft(samples[: int(0.4 * 16000)]))
    freqs = np.fft.rfftfreq(int(0.4 * 16000), 1 / 16000)
    peaks = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert peaks == pytest.approx([400, 450], abs=3)
    assert np.abs(samples[int(1.2 * 16000):]).max() == 0  # the pause between rings
