from __future__ import annotations

import pytest

from pbx.ami import channel_variables
from pbx.ami_listener import AmiEvent
from pbx.ari.events import AriEvent
from pbx.backoff import Backoff
from pbx.settings import PbxSettings, SettingsError


def test_backoff_doubles_to_a_ceiling_and_resets() -> None:
    backoff = Backoff(0.2, 1.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.2, 0.4, 0.8, 1.0, 1.0]
    backoff.reset()
    assert backoff.next_delay() == 0.2


def test_settings_from_env_name_the_bad_variables() -> None:
    env = {"PBX_ARI_URL": "http://x/ari", "PBX_ARI_USER": "u", "PBX_ARI_PASSWORD": "p",
           "PBX_AMI_USER": "a", "PBX_AMI_SECRET": "s", "PBX_AMI_PORT": "99999"}  # fmt: skip
    with pytest.raises(SettingsError, match="PBX_AMI_PORT"):
        PbxSettings.from_env(env)
    env["PBX_AMI_PORT"] = "5039"
    assert PbxSettings.from_env(env).ami_port == 5039


def test_ari_event_keeps_ids_and_args() -> None:
    event = AriEvent.from_json(
        {"type": "StasisStart", "application": "cc", "timestamp": "t", "args": ["outbound"],
         "channel": {"id": "c1"}}  # fmt: skip
    )
    assert (event.type, event.channel_id, event.bridge_id, event.args) == ("StasisStart", "c1", None, ("outbound",))


def test_channel_variables_from_one_or_many() -> None:
    assert channel_variables({"ChanVariable": "A=1"}) == {"A": "1"}
    assert channel_variables({"ChanVariable": ["A=1", "B=x=y", "junk"]}) == {"A": "1", "B": "x=y"}
    assert channel_variables({}) == {}


def test_ari_event_types_what_pbx_reads() -> None:
    dtmf = AriEvent.from_json({"type": "ChannelDtmfReceived", "application": "cc", "digit": "7", "duration_ms": 90})
    destroyed = AriEvent.from_json({"type": "ChannelDestroyed", "application": "cc", "cause": 17})
    talked = AriEvent.from_json({"type": "ChannelTalkingFinished", "application": "cc", "duration": 1450})
    assert (dtmf.digit, dtmf.cause) == ("7", None)
    assert (destroyed.cause, destroyed.digit) == (17, "")
    assert talked.duration_ms == 1450


def test_ami_event_names_what_pbx_reads() -> None:
    event = AmiEvent("QueueCallerJoin", {"Uniqueid": "u1", "Linkedid": "l1", "Queue": "support", "Channel": "PJSIP/x-1",
                                         "MemberName": "agent1", "Interface": "PJSIP/agent1"},
                     {"CC_CALL_ID": "c1", "CC_ESCALATION_REASON": "angry"})  # fmt: skip
    assert (event.unique_id, event.linked_id, event.queue, event.channel) == ("u1", "l1", "support", "PJSIP/x-1")
    assert (event.member_name, event.interface, event.call_id, event.escalation_reason) == (
        "agent1", "PJSIP/agent1", "c1", "angry")  # fmt: skip
    hangup = AmiEvent("Hangup", {"Uniqueid": "u1", "Cause": "16"}, {})
    assert (hangup.cause, hangup.queue, hangup.call_id) == ("16", None, "")  # no queue named: None, not ""
