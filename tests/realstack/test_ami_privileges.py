"""The AMI user pbx logs in as may do what pbx does and is refused the rest (manager.conf)."""

from __future__ import annotations

import asyncio

import pytest

from asterisk_config.telephony import RELOAD_ACTIONS
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiError, AmiLink
from tests.realstack.test_ami import until_filtered

pytestmark = pytest.mark.realstack

# What pbx must never be able to do over AMI: run any CLI command, dial, rewrite a config file.
REFUSED = (
    {"Action": "Command", "Command": "core show version"},
    {"Action": "Originate", "Channel": "Local/wait@cc-test", "Application": "Wait", "Data": "1"},
    {"Action": "UpdateConfig", "SrcFilename": "manager.conf", "DstFilename": "manager.conf",
     "Action-000000": "Append", "Cat-000000": "general", "Var-000000": "enabled", "Value-000000": "no"},
    {"Action": "Redirect", "Channel": "PJSIP/nobody-00000000", "Context": "cc-test", "Exten": "wait",
     "Priority": "1"},
)  # fmt: skip


def test_pbx_ami_user_does_what_pbx_does_and_nothing_it_does_not(asterisk_server: AsteriskInstance) -> None:
    s = asterisk_server.settings

    async def go() -> tuple[bool, list[str], dict[str, str]]:
        link = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        link.on_event("QueueMemberPause", lambda *_: None)  # pbx asks for its events with Filter
        await link.start()
        try:
            await until_filtered(link)
            allowed = []
            # pbx.calls.reservations: pause an agent for a reserved call, read the queues' members.
            member = {"Interface": "PJSIP/agent1", "Queue": "support"}
            await link.action({"Action": "QueuePause", **member, "Paused": "true", "Reason": "privilege test"})
            await link.action({"Action": "QueuePause", **member, "Paused": "false"})
            allowed.append("QueuePause")
            status = await link.action({"Action": "QueueStatus", "Member": "PJSIP/agent1"})
            assert any(m.get("Event") == "QueueMember" for m in status), status
            allowed.append("QueueStatus")
            # pbx.telephony_sync: reload the modules whose rendered files changed.
            for fields in RELOAD_ACTIONS.values():
                await link.action(fields)
                allowed.append(fields.get("Module") or fields["Action"])
            refused = {}
            for fields in REFUSED:
                with pytest.raises(AmiError) as caught:
                    await link.action(fields)
                refused[fields["Action"]] = str(caught.value)
            return link.filtered, allowed, refused
        finally:
            link.close()

    filtered, allowed, refused = asyncio.run(go())
    assert filtered
    assert allowed == ["QueuePause", "QueueStatus", "res_pjsip.so", "QueueReload", "pbx_config.so"]
    assert set(refused) == {"Command", "Originate", "UpdateConfig", "Redirect"}
    assert all("Permission denied" in message for message in refused.values()), refused
    # The reloads left Asterisk whole: its queue and the agent are still there, unpaused.
    assert "agent1" in asterisk_server.cli("queue show support")
    assert "paused" not in asterisk_server.cli("queue show support").split("agent1", 1)[1].splitlines()[0]
