"""pbx as a process: commands arrive on the Redis stream, and if pbx dies mid-call the guard
hands its caller to a human queue (the call never stays in silence)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.request
from pathlib import Path

import pytest
import redis

from ops.stack.asterisk import AsteriskInstance
from ops.stack.pbx_process import PbxProcess
from ops.stack.processes import ManagedProcess, wait_for
from ops.stack.redis_server import RedisServer
from pbx.ami import channel_variables
from pbx.api import COMMANDS_STREAM, EVENTS_STREAM, OriginateCall, parse_event, to_fields
from pbx.ari.client import basic_auth_header

pytestmark = pytest.mark.realstack


def _ari_get(asterisk: AsteriskInstance, path: str) -> dict:
    s = asterisk.settings
    request = urllib.request.Request(f"{asterisk.ari_url}/{path}", headers=basic_auth_header(s.ari_user, s.ari_password))
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.fixture
def pbx_under_test(asterisk_server: AsteriskInstance, redis_server: RedisServer, tmp_path: Path):
    pbx = PbxProcess(asterisk_server, redis_server.url, tmp_path, failsafe_queue="sales",
                     consumer_name=f"test-{os.getpid()}", env={"PBX_GUARD_GRACE_S": "1.0"})  # fmt: skip
    pbx.migrate_ledger()
    yield pbx
    pbx.stop()


def test_killed_pbx_hands_its_caller_to_a_human(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, pbx_under_test: PbxProcess
) -> None:
    pbx = pbx_under_test.process
    guard = pbx_under_test.companion("guard", "pbx.guard")
    pbx.start()
    guard.start()
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        wait_for(pbx_under_test.ready, 60, "pbx", alive=pbx.running)
        # pbx asked Asterisk for only the events it acts on (ARI app filter, AMI session filter).
        wait_for(lambda: pbx_under_test.health()["ami"]["filtered"], 10, "AMI event filters")
        assert pbx_under_test.health()["ari"]["events_filtered"] is True
        allowed = _ari_get(asterisk_server, f"applications/{asterisk_server.settings.ari_app}")["events_allowed"]
        assert {e["type"] for e in allowed} == {"StasisStart", "StasisEnd", "ChannelDestroyed",
                                                 "ChannelHangupRequest", "ChannelDtmfReceived"}  # fmt: skip
        # The command goes through the Redis stream, as the dialer sends it.
        command = OriginateCall(endpoint="Local/customer@cc-sim", flow="order_confirmation",
                                lead={"first_name": "Ravi", "order_id": "B77", "item": "a lamp", "amount": "899",
                                      "currency": "rupees"})  # fmt: skip
        client.xadd(COMMANDS_STREAM, to_fields(command))
        wait_for(lambda: pbx_under_test.health().get("calls", {}).get("with_bot", 0) == 1, 20, "call with the bot",
                 alive=pbx.running)  # fmt: skip
        def call_events() -> list[str]:
            events = [parse_event(fields) for _, fields in client.xrange(EVENTS_STREAM)]
            return [e.type for e in events if e.call_id == command.call_id]

        wait_for(lambda: "call.answered" in call_events(), 10, "call.answered on the event stream")
        assert call_events()[:2] == ["call.started", "call.answered"]
        assert client.xpending(COMMANDS_STREAM, "pbx")["pending"] == 0  # acknowledged once handled

        joined = asyncio.run(_kill_and_wait_for_queue(asterisk_server, pbx, command.call_id))
    finally:
        pbx.stop()
        guard.stop()
    assert joined["Queue"] == "sales"
    assert channel_variables(joined)["CC_ESCALATION_REASON"] == "pbx_down"
    assert float(joined["_seconds_after_kill"]) < 5.0


async def _kill_and_wait_for_queue(asterisk: AsteriskInstance, pbx: ManagedProcess, call_id: str) -> dict:
    from panoramisk import Manager

    s = asterisk.settings
    loop = asyncio.get_running_loop()
    joined: asyncio.Future[dict] = loop.create_future()
    logged_in: asyncio.Future[bool] = loop.create_future()
    manager = Manager(loop=loop, host="127.0.0.1", port=s.ami_port, username=s.ami_user, secret=s.ami_secret,
                      on_login=lambda m: logged_in.done() or logged_in.set_result(True))  # fmt: skip
    killed_at = 0.0

    def on_join(_: Manager, event: dict) -> None:
        if channel_variables(event).get("CC_CALL_ID") == call_id and not joined.done():
            joined.set_result({**dict(event), "_seconds_after_kill": loop.time() - killed_at})

    manager.register_event("QueueCallerJoin", on_join)
    await manager.connect()
    await asyncio.wait_for(logged_in, 5)
    try:
        pid = pbx.pid()
        assert pid is not None
        killed_at = loop.time()
        os.kill(pid, signal.SIGKILL)  # no chance to clean up: the worst case
        return await asyncio.wait_for(joined, 15)
    finally:
        manager.close()
        asterisk.cli("channel request hangup all")  # leave the queue empty for the other tests
