"""A published change reaches a running Asterisk within 2 s, and a call in progress carries on.

An Asterisk of its own (the session's is shared by other tests), the test Redis on a database
of its own, and pbx's TelephonySync with a real AMI session, as pbx runs it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from ops.stack.asterisk import AsteriskInstance
from ops.stack.redis_server import RedisServer
from pbx.ami import AmiLink
from pbx.api import (
    CONFIG_CHANGED_CHANNEL,
    CONFIG_KEY,
    CONFIG_VERSION_KEY,
    AgentPhone,
    PbxConfig,
    QueueMember,
    QueueSpec,
    Telephony,
    md5_cred,
)
from pbx.telephony_sync import TelephonySync
from tests.conftest import throwaway_asterisk

pytestmark = pytest.mark.realstack


def site(strategy: str, penalty: int, agents: tuple[str, ...]) -> Telephony:
    return Telephony(
        agents=tuple(AgentPhone(name=a, md5_cred=md5_cred(a, "secret-" + a)) for a in agents),
        queues=(QueueSpec(name="support", strategy=strategy,
                          members=tuple(QueueMember(agent=a, penalty=penalty) for a in agents)),),  # fmt: skip
    )


async def publish(client: aioredis.Redis, telephony: Telephony) -> None:
    """What Django does after a change: a new version, the snapshot, the announcement."""
    version = await client.incr(CONFIG_VERSION_KEY)
    await client.set(CONFIG_KEY, PbxConfig(version=version, pbx=telephony).model_dump_json())
    await client.publish(CONFIG_CHANGED_CHANNEL, str(version))


async def until(check, timeout: float) -> float:
    """Seconds until ``check()`` (run in a thread: it runs the Asterisk CLI) holds."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if await asyncio.to_thread(check):
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def asterisk(asterisk_root: Path, tmp_path: Path):
    with throwaway_asterisk(asterisk_root, tmp_path, site("rrmemory", 0, ("agent1", "agent3"))) as instance:
        yield instance


def test_changes_reach_asterisk_within_two_seconds_without_dropping_a_call(
        asterisk: AsteriskInstance, asterisk_root: Path, redis_server: RedisServer) -> None:  # fmt: skip
    s = asterisk.settings
    etc = asterisk_root / s.instance_dir.lstrip("/") / "etc"
    # A call in progress on the same Asterisk: both legs wait 30 s in the dialplan.
    call = f"call-{uuid.uuid4()}"
    asterisk.ari_request("POST", "channels", endpoint="Local/wait@cc-test", context="cc-test", extension="wait",
                         priority="1", channelId=call)  # fmt: skip

    def queue() -> str:
        return asterisk.cli("queue show support")

    async def go() -> None:
        client = aioredis.from_url(redis_server.url.rsplit("/", 1)[0] + "/9")
        await client.delete(CONFIG_KEY, CONFIG_VERSION_KEY)
        ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        await ami.start()
        sync = TelephonySync(client, ami.action, etc, poll_s=30)  # only the announcement can be this fast
        task = asyncio.create_task(sync.run())
        try:
            await until(lambda: ami.logged_in, 5)
            assert "'rrmemory' strategy" in queue() and "with penalty" not in queue()

            await publish(client, site("leastrecent", 7, ("agent1", "agent3")))
            took = await until(lambda: "'leastrecent' strategy" in queue()
                               and "agent1 (PJSIP/agent1) with penalty 7" in queue(), 5)  # fmt: skip
            assert took < 2.0, took

            await publish(client, site("leastrecent", 7, ("agent1",)))
            took = await until(lambda: "agent3" not in asterisk.cli("pjsip show endpoints"), 5)
            assert took < 2.0, took
            assert "agent3" not in queue() and "PJSIP/agent1" in queue()
            # The call went on through both reloads.
            assert asterisk.ari_request("GET", f"channels/{call}")["state"] == "Up"
            assert sync.report()["last_error"] is None
        finally:
            task.cancel()
            ami.close()
            await client.delete(CONFIG_KEY, CONFIG_VERSION_KEY)
            await client.aclose()

    try:
        asyncio.run(go())
    finally:
        asterisk.ari_request("DELETE", f"channels/{call}")
