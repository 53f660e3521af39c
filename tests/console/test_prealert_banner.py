"""The pre-alert banner on the reserved agent's console, and nobody else's: reason, lead and the
transcript so far when the agent is reserved, each new line as it is heard, cleared at the end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone

from contactcenter.campaigns.pbx_events import apply_event
from contactcenter.campaigns.services import ActionError
from contactcenter.console import services
from contactcenter.ledger.models import Utterance
from contactcenter.people.models import AgentState
from pbx.api import CallAtRisk, DecisionMade, ReservationEnded, UtteranceHeard
from tests.campaigns.conftest import FakePbx
from tests.console.factories import ConsoleWorld, make_world
from tests.console.test_console_push import Console

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def ledger_utterances() -> Iterator[None]:
    """The ledger's utterance table (Alembic's in a real site; unmanaged here, so made by hand)."""
    with connection.schema_editor() as editor:
        editor.create_model(Utterance)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(Utterance)


def said(call_id: str, n: int, speaker: str, text: str) -> None:
    now = timezone.now()
    Utterance.objects.create(call_id=call_id, utterance_id=f"u{n}", speaker=speaker, text=text, is_partial=False,
                             start_ms=n * 1000, created_at=now, updated_at=now)  # fmt: skip


def two_agents() -> tuple[ConsoleWorld, object]:
    """Priya (reserved next: free the longest) and Ravi, both in the web queue, both available."""
    world = make_world()
    from django.contrib.auth import get_user_model

    from contactcenter.console.models import AgentProfile
    from contactcenter.people.models import Agent
    from contactcenter.people.roles import Role, set_role

    ravi = Agent.objects.create(name="webagent2", state=AgentState.AVAILABLE, state_changed_at=timezone.now())
    ravi.queues.add(world.queue)
    user = get_user_model().objects.create_user("ravi", password="x")
    set_role(user, Role.AGENT)
    AgentProfile.objects.create(user=user, agent=ravi)
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE,
                                                   state_changed_at=timezone.now() - dt.timedelta(minutes=5))  # fmt: skip
    return world, user


def reserve(world: ConsoleWorld) -> str:
    event = CallAtRisk(call_id=world.attempt.call_id, queue=world.queue.name, score=0.42, reason="anger",
                       explanation="raised voice; 'this is ridiculous'", lead_id=world.lead.pk)  # fmt: skip
    return apply_event(event, FakePbx())


async def test_the_reserved_agent_sees_the_banner_and_nobody_else(ledger_utterances) -> None:
    world, ravi = await database_sync_to_async(two_agents)()
    call_id = world.attempt.call_id
    await database_sync_to_async(said)(call_id, 1, "bot", "Hello Asha, calling about order A1001.")
    await database_sync_to_async(said)(call_id, 2, "customer", "This is the third time I am calling!")
    priya, other = Console(world.user), Console(ravi)
    for console in (priya, other):
        assert (await console.connect())[0]
        assert (await console.receive_json_from())["state"] == "available"

    assert await database_sync_to_async(reserve)(world) == "reserved"
    assert await priya.receive_json_from() == {"type": "agent.state", "state": "reserved", "reason": ""}
    banner = await priya.receive_json_from()
    assert banner["type"] == "prealert" and banner["call_id"] == call_id
    assert (banner["reason"], banner["reason_label"], banner["score"]) == ("anger", "Customer is angry", 0.42)
    assert banner["explanation"] == "raised voice; 'this is ridiculous'"
    assert banner["lead"]["name"] == "Asha" and banner["lead"]["fields"]["order_id"] == "A1001"
    assert [(u["id"], u["speaker"]) for u in banner["transcript"]] == [("u1", "bot"), ("u2", "customer")]

    heard = UtteranceHeard(call_id=call_id, utterance_id="u3", speaker="customer", text="I want a refund now",
                           sentiment=-0.64)  # fmt: skip
    assert await database_sync_to_async(apply_event)(heard) == "banner_updated"
    line = await priya.receive_json_from()
    assert line["type"] == "prealert.utterance" and line["utterance"]["text"] == "I want a refund now"
    assert line["utterance"]["sentiment"] == -0.64  # the console draws it

    # VoiceWatch's newer word on the call: each turn's decision, and the risk crossing again.
    decided = DecisionMade(call_id=call_id, turn=3, escalate=False, reason="anger", score=0.571,
                           explanation="anger 0.57: 'refund now'")  # fmt: skip
    assert await database_sync_to_async(apply_event)(decided) == "banner_scored"
    assert await priya.receive_json_from() == {"type": "prealert.score", "call_id": call_id, "score": 0.57,
                                               "reason": "anger", "reason_label": "Customer is angry",
                                               "explanation": "anger 0.57: 'refund now'"}  # fmt: skip
    again = CallAtRisk(call_id=call_id, queue=world.queue.name, score=0.66, reason="legal_threat",
                       explanation="mentioned a lawyer")  # fmt: skip
    assert await database_sync_to_async(apply_event)(again, FakePbx()) == "already_reserved"
    rescored = await priya.receive_json_from()
    assert (rescored["score"], rescored["reason"], rescored["explanation"]) == (0.66, "legal_threat",
                                                                                 "mentioned a lawyer")  # fmt: skip
    # A turn that keeps the bot names no reason: the score and its explanation only.
    kept = DecisionMade(call_id=call_id, turn=4, escalate=False, reason=None, score=0.31,
                        explanation="keep bot: strongest was anger 0.31 < 0.60")  # fmt: skip
    assert await database_sync_to_async(apply_event)(kept) == "banner_scored"
    assert await priya.receive_json_from() == {"type": "prealert.score", "call_id": call_id, "score": 0.31,
                                               "explanation": "keep bot: strongest was anger 0.31 < 0.60"}
    # A call nobody is reserved for: nothing to update.
    elsewhere = DecisionMade(call_id="another-call", turn=1, escalate=False, score=0.2)
    assert await database_sync_to_async(apply_event)(elsewhere) == "ignored"

    # A console opened now gets the banner with the state (nothing is replayed otherwise).
    late = Console(world.user)
    assert (await late.connect())[0]
    assert (await late.receive_json_from())["state"] == "reserved"
    assert (await late.receive_json_from())["call_id"] == call_id

    ended = ReservationEnded(call_id=call_id, agent=world.agent.name, why="risk_fell")
    assert await database_sync_to_async(apply_event)(ended) == "reservation_ended"
    assert await priya.receive_json_from() == {"type": "prealert.cleared", "call_id": call_id, "why": "risk_fell"}
    assert await priya.receive_json_from() == {"type": "agent.state", "state": "available", "reason": ""}

    # Ravi's console heard none of it: no banner, no lead, no transcript.
    assert await other.receive_nothing(timeout=0.3)
    for console in (priya, other, late):
        await console.disconnect()


async def test_a_reserved_agent_cannot_unpause_themselves() -> None:
    world, _ = await database_sync_to_async(two_agents)()
    await database_sync_to_async(reserve)(world)
    with pytest.raises(ActionError, match="reserved"):
        await database_sync_to_async(services.do_set_state)(world.agent.pk, "available")
    change = await database_sync_to_async(services.do_set_state)(world.agent.pk, "paused",
                                                                 reason="Lunch")  # a person may pause
    assert change.state == AgentState.PAUSED


def test_the_console_is_told_the_agents_auto_answer_setting(client) -> None:
    world = make_world()
    client.force_login(world.user)
    assert client.get("/console/api/session").json()["agent"]["auto_answer"] is True
    world.agent.auto_answer = False
    world.agent.save()
    assert client.get("/console/api/session").json()["agent"]["auto_answer"] is False


def test_auto_answer_is_an_agent_setting_of_the_api(admin_client) -> None:
    def post(body: dict):
        return admin_client.post("/api/agents/", body, content_type="application/json")

    assert post({"name": "agent7"}).json()["auto_answer"] is True  # the console's phone follows the call already
    assert post({"name": "agent8", "auto_answer": False}).json()["auto_answer"] is False
    refused = post({"name": "agent9", "auto_answer": "sometimes"})
    assert refused.status_code == 400 and "auto_answer" in refused.json()
    changed = admin_client.patch("/api/agents/agent7/", {"auto_answer": False}, content_type="application/json")
    assert changed.json()["auto_answer"] is False
