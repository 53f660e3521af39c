"""The pbx commands supervisors' requests become: pure, no database."""

from __future__ import annotations

import uuid

import pytest

from contactcenter.supervisors import commands
from contactcenter.supervisors.commands import NotSetUp, Supervisor
from pbx.api import SupervisionMode, parse_command, to_fields

CALL = str(uuid.uuid4())
SAM = Supervisor("sam", phone="sup-sam", queue="supervisors")


def test_each_command_names_the_supervisor_and_their_phone_or_queue() -> None:
    listen = commands.supervise(SAM, CALL, SupervisionMode.WHISPER)
    assert (listen.type, listen.call_id, listen.mode, listen.supervisor, listen.supervisor_phone) == (
        "supervise", CALL, "whisper", "sam", "sup-sam")  # fmt: skip
    assert (commands.stop(SAM, CALL).type, commands.stop(SAM, CALL).supervisor) == ("stop_supervising", "sam")
    to_phone = commands.takeover(SAM, CALL, "phone")
    assert (to_phone.supervisor_phone, to_phone.supervisor_queue, to_phone.supervisor) == (
        "sup-sam",
        "",
        "sam",
    )
    to_queue = commands.takeover(SAM, CALL, "queue")
    assert (to_queue.supervisor_phone, to_queue.supervisor_queue) == ("", "supervisors")
    pause = commands.force(SAM, "agent1", "pause_agent", "Lunch")
    assert (pause.type, pause.agent, pause.action, pause.reason, pause.supervisor) == (
        "agent_state", "agent1", "pause_agent", "Lunch", "sam")  # fmt: skip
    # Every one survives the trip through the stream's encoding.
    for command in (listen, to_phone, to_queue, pause):
        assert parse_command(to_fields(command)) == command


def test_without_a_phone_or_queue_nothing_is_built() -> None:
    bare = Supervisor("sam")
    with pytest.raises(NotSetUp, match="no phone"):
        commands.supervise(bare, CALL, SupervisionMode.LISTEN)
    with pytest.raises(NotSetUp, match="no phone"):
        commands.takeover(bare, CALL, "phone")
    with pytest.raises(NotSetUp, match="no queue"):
        commands.takeover(Supervisor("sam", phone="sup-sam"), CALL, "queue")
    assert commands.stop(bare, CALL).supervisor == "sam"  # leaving needs no phone


@pytest.mark.parametrize("value, ok", [
    (CALL, True), (CALL.upper(), False), ("not-a-call", False), (CALL + "0", False), ("", False),
    ("12345678-1234-1234-1234-1234567890ab\n", False), ("x" * 36, False),
])  # fmt: skip
def test_a_call_id_is_a_uuid_as_pbx_writes_it(value: str, ok: bool) -> None:
    assert commands.is_call_id(value) is ok
