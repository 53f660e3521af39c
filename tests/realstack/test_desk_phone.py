"""A real SIP desk phone (baresip) registers as an agent and answers the agent's queue calls,
and an AI call that escalates.

An Asterisk of its own: the session's ``agent2`` must stay unregistered (fail-safe and
queue-timeout tests count on nobody answering the "sales" queue).
"""

from __future__ import annotations

import asyncio
import urllib.error
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from ops.simulator.desk_phone import DeskPhone
from ops.simulator.scripted_bot import QuietConversation
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import wait_for
from pbx.ami import AmiLink
from pbx.ami_listener import AmiEvent, AmiQueueListener
from pbx.api import (
    AgentConnected,
    AgentPhone,
    CallEscalated,
    CallQueued,
    Event,
    OriginateCall,
    QueueMember,
    QueueSpec,
    Telephony,
    TransferCall,
    md5_cred,
)
from pbx.ari.client import HttpAriRest
from pbx.calls.engine import CallEngine
from pbx.calls.protocols import CallIO
from pbx.calls.queue_callers import QueueCallers
from pbx.media.codec import ULAW
from tests.conftest import password_of, throwaway_asterisk
from tests.realstack.harness import ari_app, wait_for_event

pytestmark = pytest.mark.realstack

UDP_AGENT, TCP_AGENT, REFUSED_AGENT = "deskphone1", "deskphone2", "deskphone3"

UDP_QUEUE, TCP_QUEUE = "desk", "desktcp"


@pytest.fixture(scope="module")
def desk_asterisk(
    asterisk_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsteriskInstance]:
    def agent(name: str, **options: object) -> AgentPhone:
        return AgentPhone(name=name, md5_cred=md5_cred(name, password_of(name)), **options)

    def queue(name: str, member: str) -> QueueSpec:
        return QueueSpec(name=name, members=(QueueMember(agent=member),), max_wait_s=20)

    telephony = Telephony(
        agents=(agent(UDP_AGENT), agent(TCP_AGENT, transport="tcp"), agent(REFUSED_AGENT)),
        queues=(queue(UDP_QUEUE, UDP_AGENT), queue(TCP_QUEUE, TCP_AGENT)),
        failsafe_queue=UDP_QUEUE,
    )
    base = tmp_path_factory.mktemp("desk-asterisk")
    with throwaway_asterisk(asterisk_root, base, telephony) as instance:
        yield instance


@pytest.fixture
def phones(desk_asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[list[DeskPhone]]:
    """Phones a test makes (append to the list); all stopped afterwards."""
    made: list[DeskPhone] = []
    yield made
    for phone in made:
        phone.stop()


def _phone(phones: list[DeskPhone], asterisk: AsteriskInstance, tmp_path: Path, name: str,
           password: str | None = None, **options: object) -> DeskPhone:  # fmt: skip
    port = asterisk.settings.sip_port
    phone = DeskPhone(name, password or password_of(name), port, tmp_path / name, **options)  # type: ignore[arg-type]
    phones.append(phone)
    phone.start()
    return phone


def _contact_lines(asterisk: AsteriskInstance, agent: str) -> list[str]:
    """``agent``'s lines in ``pjsip show contacts`` (whose columns cut the URI short)."""
    return [line for line in asterisk.cli("pjsip show contacts").splitlines() if f"{agent}/sip:" in line]


def _contact_uri(asterisk: AsteriskInstance, agent: str) -> str:
    """The whole URI ``agent``'s phone registered, from ``pjsip show aor``; "" when none."""
    for line in asterisk.cli(f"pjsip show aor {agent}").splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "contact":
            return value.strip()
    return ""


def _queue_call(asterisk: AsteriskInstance, queue: str, call_id: str) -> None:
    """A caller (a Local channel that answers and waits) put into ``queue`` as the dialplan would."""
    asterisk.ari_request(
        "POST", "channels", {"variables": {"CC_CALL_ID": call_id, "CC_ESCALATION_REASON": "human_request"}},
        endpoint="Local/wait@cc-test", context="cc-queue", extension=queue, priority="1", channelId=call_id,
    )  # fmt: skip


def _hang_up_caller(asterisk: AsteriskInstance, call_id: str) -> None:
    try:
        asterisk.ari_request("DELETE", f"channels/{call_id}")
    except urllib.error.HTTPError as exc:
        if exc.code != 404:  # already gone with the agent's hang-up
            raise


def _in_call(asterisk: AsteriskInstance, queue: str, agent: str) -> bool:
    """Whether ``queue show`` lists ``agent`` as a member in a call (fails if not a member at all)."""
    lines = asterisk.cli(f"queue show {queue}").splitlines()
    (member,) = [line for line in lines if f"(PJSIP/{agent})" in line]
    return "(in call)" in member


def test_registers_with_its_password_and_unregisters_when_stopped(
    desk_asterisk: AsteriskInstance, phones: list[DeskPhone], tmp_path: Path
) -> None:
    phone = _phone(phones, desk_asterisk, tmp_path, UDP_AGENT)
    assert phone.registered() == "200 OK"
    assert len(_contact_lines(desk_asterisk, UDP_AGENT)) == 1
    assert _contact_uri(desk_asterisk, UDP_AGENT).startswith(f"sip:{UDP_AGENT}-")
    phone.stop()  # baresip unregisters before it exits
    wait_for(lambda: _contact_lines(desk_asterisk, UDP_AGENT) == [], 5, "contact removed")


def test_a_wrong_password_is_refused(
    desk_asterisk: AsteriskInstance, phones: list[DeskPhone], tmp_path: Path
) -> None:
    phone = _phone(phones, desk_asterisk, tmp_path, REFUSED_AGENT, password="not-the-password")
    assert phone.registration_failed() == "401 Unauthorized"
    assert _contact_lines(desk_asterisk, REFUSED_AGENT) == []


def test_one_agents_password_does_not_register_as_another(
    desk_asterisk: AsteriskInstance, phones: list[DeskPhone], tmp_path: Path
) -> None:
    assert password_of(UDP_AGENT) != password_of(REFUSED_AGENT)
    phone = _phone(phones, desk_asterisk, tmp_path, REFUSED_AGENT, password=password_of(UDP_AGENT))
    assert phone.registration_failed() == "401 Unauthorized"
    assert _contact_lines(desk_asterisk, REFUSED_AGENT) == []


def test_a_queue_call_rings_the_phone_which_answers_with_the_screen_pop_headers(
    desk_asterisk: AsteriskInstance, phones: list[DeskPhone], tmp_path: Path
) -> None:
    phone = _phone(phones, desk_asterisk, tmp_path, UDP_AGENT)
    phone.registered()
    call_id = str(uuid.uuid4())
    _queue_call(desk_asterisk, UDP_QUEUE, call_id)
    try:
        call = phone.answered_call(timeout=10)
        assert call.headers["X-CC-Call-Id"] == call_id
        assert call.headers["X-CC-Escalation-Reason"] == "human_request"
        assert call.headers["X-CC-Queue"] == UDP_QUEUE
        wait_for(lambda: _in_call(desk_asterisk, UDP_QUEUE, UDP_AGENT), 10, "agent in call")
        phone.hangup()
        assert phone.call_closed(call.call_id)
        wait_for(lambda: not _in_call(desk_asterisk, UDP_QUEUE, UDP_AGENT), 10, "call over")
    finally:
        _hang_up_caller(desk_asterisk, call_id)
    assert [c.call_id for c in phone.calls_answered()] == [call.call_id]


def test_a_tcp_phone_registers_over_tcp_and_answers_when_told(
    desk_asterisk: AsteriskInstance, phones: list[DeskPhone], tmp_path: Path
) -> None:
    phone = _phone(phones, desk_asterisk, tmp_path, TCP_AGENT, transport="tcp", auto_answer=False)
    assert phone.registered() == "200 OK"
    assert len(_contact_lines(desk_asterisk, TCP_AGENT)) == 1
    assert _contact_uri(desk_asterisk, TCP_AGENT).lower().endswith(";transport=tcp")
    call_id = str(uuid.uuid4())
    _queue_call(desk_asterisk, TCP_QUEUE, call_id)
    try:
        ringing = phone.ringing_call(timeout=10)
        assert ringing.headers["X-CC-Call-Id"] == call_id
        assert phone.calls_answered() == []
        phone.answer()
        assert phone.answered_call(timeout=10).call_id == ringing.call_id
        wait_for(lambda: _in_call(desk_asterisk, TCP_QUEUE, TCP_AGENT), 10, "agent in call")
    finally:
        _hang_up_caller(desk_asterisk, call_id)


class _Bot(QuietConversation):
    """The bot's side of the call: says when its media leg is up (the call is the bot's)."""

    def __init__(self) -> None:
        self.listening = asyncio.Event()

    async def start(self, io: CallIO) -> None:
        self.listening.set()


def _bridge_of(asterisk: AsteriskInstance) -> dict[str, str]:
    """Channel name and unique id -> the bridge it is in ("" when none), from the CLI's concise list."""
    bridges = {}
    for line in asterisk.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if len(fields) >= 14:  # Channel!Context!...!Duration!BridgeID!Uniqueid
            bridges[fields[0]] = bridges[fields[13]] = fields[12]
    return bridges


def test_a_desk_phone_answers_an_ai_call_that_escalates(
    desk_asterisk: AsteriskInstance, phones: list[DeskPhone], tmp_path: Path
) -> None:
    """An AI call with the bot is transferred (a TransferCall command, through pbx's call engine
    as its command stream hands it over) to the desk phone's queue: the phone rings with the
    call's headers, answers, and the caller's channel is bridged with the phone's. Asterisk's
    own queue counts (``cc_queue_waiting_calls``) follow the caller in and out of the queue."""
    phone = _phone(phones, desk_asterisk, tmp_path, UDP_AGENT)
    phone.registered()
    s = desk_asterisk.settings
    bot = _Bot()
    events: list[Event] = []
    callers = QueueCallers()
    waiting: list[dict[str, int] | None] = []  # the counts after each queue event

    async def publish(event: Event) -> None:
        events.append(event)

    async def count_callers(event: AmiEvent) -> None:
        await callers.on_ami_event(event)
        if event.name.startswith("QueueCaller"):
            waiting.append(callers.counts())

    async def go() -> tuple[str, dict[str, str], str, list[str]]:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, desk_asterisk.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: bot, ULAW, failsafe_queue=UDP_QUEUE)
            ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event, count_callers]))
            await ami.start()
            try:
                async with asyncio.timeout(10):
                    while callers.counts() is None:  # pbx's loop: the summary once AMI has logged in
                        await callers.follow(ami.logged_in, ami.logins, ami.action)
                        await asyncio.sleep(0.05)
                waiting.append(callers.counts())
                async with ari_app(session, desk_asterisk, s.ari_app, engine.on_event):
                    command = OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted",
                                            escalation_queue=UDP_QUEUE, variables={"__CC_SIM_HOLD": "60"})
                    await engine.originate(command)
                    await asyncio.wait_for(bot.listening.wait(), 15)  # answered, the bot's media leg up
                    await engine.handle_command(TransferCall(call_id=command.call_id, queue=UDP_QUEUE,
                                                             reason="human_request"))  # fmt: skip
                    await wait_for_event(events, lambda e: isinstance(e, AgentConnected), 20)
                    answered = await asyncio.to_thread(phone.answered_call, 10)
                    caller = engine.calls[command.call_id].channel_id
                    bridges = await asyncio.to_thread(_bridge_of, desk_asterisk)
                    await rest.delete(f"channels/{caller}")
                    phone_bridges = [bridge for name, bridge in bridges.items()
                                     if name.startswith(f"PJSIP/{UDP_AGENT}-")]  # fmt: skip
                    return command.call_id, answered.headers, bridges.get(caller, ""), phone_bridges
            finally:
                ami.close()
                listener.cancel()

    call_id, headers, caller_bridge, phone_bridges = asyncio.run(go())
    [escalated] = [e for e in events if isinstance(e, CallEscalated)]
    assert (escalated.call_id, escalated.queue, escalated.reason) == (call_id, UDP_QUEUE, "human_request")
    [queued] = [e for e in events if isinstance(e, CallQueued)]
    assert queued.call_id == call_id and queued.wait_s is not None
    [connected] = [e for e in events if isinstance(e, AgentConnected)]
    assert (connected.call_id, connected.agent, connected.queue) == (call_id, UDP_AGENT, UDP_QUEUE)
    assert headers["X-CC-Call-Id"] == call_id and headers["X-CC-Escalation-Reason"] == "human_request"
    assert caller_bridge and phone_bridges == [caller_bridge], (caller_bridge, phone_bridges)
    idle = {UDP_QUEUE: 0, TCP_QUEUE: 0}
    assert waiting == [idle, {**idle, UDP_QUEUE: 1}, idle]  # summary, QueueCallerJoin, QueueCallerLeave
