"""pbx as a process: commands arrive on the Redis stream, and if pbx dies mid-call the guard
hands its caller to a human queue (the call never stays in silence)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import redis

from contactcenter.stack.asterisk import AsteriskInstance
from contactcenter.stack.config import REPO_DIR
from contactcenter.stack.processes import ManagedProcess, ProcessSpec, free_port, wait_for
from contactcenter.stack.redis_server import RedisServer
from pbx.ami import channel_variables
from pbx.api import COMMANDS_STREAM, EVENTS_STREAM, OriginateCall, parse_event, to_fields

pytestmark = pytest.mark.realstack


def _health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return json.load(response)
    except OSError:
        return {}


@pytest.fixture
def pbx_env(asterisk_server: AsteriskInstance, redis_server: RedisServer, tmp_path: Path) -> dict[str, str]:
    s = asterisk_server.settings
    var_dir = tmp_path / "var"
    env = {
        **os.environ, "CC_VAR_DIR": str(var_dir), "PBX_ARI_URL": asterisk_server.ari_url, "PBX_ARI_USER": s.ari_user,
        "PBX_ARI_PASSWORD": s.ari_password, "PBX_ARI_APP": s.ari_app, "PBX_AMI_PORT": str(s.ami_port),
        "PBX_AMI_USER": s.ami_user, "PBX_AMI_SECRET": s.ami_secret, "PBX_REDIS_URL": redis_server.url,
        "PBX_HEALTH_PORT": str(free_port()), "PBX_FAILSAFE_QUEUE": "sales", "PBX_GUARD_GRACE_S": "1.0",
        "PBX_CONSUMER_NAME": f"test-{os.getpid()}", "CC_ASR_ENGINE": "whisper",
    }  # fmt: skip
    var_dir.mkdir()
    migrated = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO_DIR, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    return env


def _process(name: str, module: str, env: dict[str, str], tmp_path: Path) -> ManagedProcess:
    return ManagedProcess(ProcessSpec(name, (sys.executable, "-m", module), tmp_path / f"{name}.log",
                                      tmp_path / f"{name}.pid", REPO_DIR, env))  # fmt: skip


def test_killed_pbx_hands_its_caller_to_a_human(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, pbx_env: dict[str, str], tmp_path: Path
) -> None:
    port = int(pbx_env["PBX_HEALTH_PORT"])
    pbx = _process("pbx", "pbx", pbx_env, tmp_path)
    guard = _process("guard", "pbx.guard", pbx_env, tmp_path)
    pbx.start()
    guard.start()
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        wait_for(lambda: bool(_health(port).get("ok")), 60, "pbx", alive=pbx.running)
        # The command goes through the Redis stream, as the dialer sends it.
        command = OriginateCall(endpoint="Local/customer@cc-sim", flow="order_confirmation",
                                lead={"first_name": "Ravi", "order_id": "B77", "item": "a lamp", "amount": "899",
                                      "currency": "rupees"})  # fmt: skip
        client.xadd(COMMANDS_STREAM, to_fields(command))
        wait_for(lambda: _health(port).get("calls", {}).get("with_bot", 0) == 1, 20, "call with the bot",
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
