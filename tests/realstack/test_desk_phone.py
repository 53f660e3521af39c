"""A real SIP desk phone (baresip) registers as an agent and answers the agent's queue calls.

An Asterisk of its own: the session's ``agent2`` must stay unregistered (fail-safe and
queue-timeout tests count on nobody answering the "sales" queue).
"""

from __future__ import annotations

import urllib.error
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.simulator.desk_phone import DeskPhone
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import wait_for
from pbx.api import AgentPhone, QueueMember, QueueSpec, Telephony, md5_cred
from tests.conftest import password_of, throwaway_asterisk

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
