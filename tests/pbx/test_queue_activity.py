"""AMI's queue and agent events leave pbx as pbx.api's domain events, named once, in pbx."""

from __future__ import annotations

from pbx.ami_listener import AmiEvent
from pbx.api import AgentConnected, AgentStateChanged, CallLeftQueue, CallQueued, QueueAbandoned
from pbx.calls.queue_tracking import other_queue_activity, queue_activity

TS = "1790000000.250"


def ami(name: str, **fields: str) -> AmiEvent:
    variables = {"CC_CALL_ID": fields.pop("call_id", ""), "CC_ESCALATION_REASON": fields.pop("reason", "")}
    return AmiEvent(name, {"Timestamp": TS, "Queue": "support", "Channel": "PJSIP/trunk-0001", **fields}, variables)


def test_a_caller_joining_a_queue_is_call_queued_with_the_transfers_timings() -> None:
    (queued,) = queue_activity(ami("QueueCallerJoin"), call_id="c1", reason="anger", queue="support",
                               transfer_id="t1", wait_s=0.4, transfer_s=0.02)  # fmt: skip
    assert isinstance(queued, CallQueued)
    assert (queued.call_id, queued.transfer_id, queued.reason, queued.wait_s, queued.transfer_s) == (
        "c1", "t1", "anger", 0.4, 0.02)
    assert queued.asterisk_ts == 1790000000.25 and queued.channel == "PJSIP/trunk-0001"


def test_an_agent_answering_is_their_phone_on_a_call_and_the_call_connected() -> None:
    state, connected = queue_activity(ami("AgentConnect", MemberName="agent1", Interface="PJSIP/agent1"),
                                      call_id="c1", reason="anger", queue="support", transfer_id="t1")  # fmt: skip
    assert isinstance(state, AgentStateChanged) and (state.agent, state.state) == ("agent1", "on_call")
    assert isinstance(connected, AgentConnected) and (connected.agent, connected.transfer_id) == ("agent1", "t1")


def test_members_named_by_interface_are_named_without_the_technology() -> None:
    (state,) = queue_activity(ami("AgentCalled", Interface="PJSIP/agent7"), call_id=None, reason="", queue="sales")
    assert (state.agent, state.state, state.queue) == ("agent7", "ringing", "sales")
    for name in ("AgentComplete", "AgentRingNoAnswer", "AgentDump"):
        (state,) = queue_activity(ami(name, MemberName="agent7"), call_id=None, reason="", queue="sales")
        assert state.state == "available", name


def test_fail_safe_callers_are_published_by_channel_with_their_reason() -> None:
    (queued,) = other_queue_activity(ami("QueueCallerJoin", reason="pbx_down"))
    assert queued.call_id is None and queued.reason == "pbx_down" and queued.queue == "support"
    (left,) = other_queue_activity(ami("QueueCallerLeave"))
    assert isinstance(left, CallLeftQueue)
    (gone,) = other_queue_activity(ami("QueueCallerAbandon", call_id="c9"))
    assert isinstance(gone, QueueAbandoned) and gone.call_id == "c9"


def test_a_reason_outside_the_vocabulary_is_dropped_not_passed_on() -> None:
    (queued,) = other_queue_activity(ami("QueueCallerJoin", reason="felt like it"))
    assert queued.reason is None


def test_events_nobody_acts_on_are_not_published() -> None:
    for name in ("Hangup", "QueueMemberStatus", "QueueMemberPause", "QueueMemberAdded", "QueueMemberRemoved"):
        assert other_queue_activity(ami(name, MemberName="agent1")) == [], name
