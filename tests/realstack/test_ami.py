"""Real round trips to Asterisk's AMI through panoramisk, including the fail-safe path."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
import uuid

import pytest
from panoramisk import Manager

from contactcenter.stack.asterisk import AsteriskInstance
from contactcenter.stack.checks import ami_round_trip
from pbx.ami import channel_variables

pytestmark = pytest.mark.realstack


def test_ami_login_and_ping(asterisk_server: AsteriskInstance) -> None:
    s = asterisk_server.settings
    result = asyncio.run(ami_round_trip("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret))
    assert result == {"ok": True, "ping": "Pong"}


def test_ami_wrong_secret_is_refused(asterisk_server: AsteriskInstance) -> None:
    s = asterisk_server.settings
    result = asyncio.run(ami_round_trip("127.0.0.1", s.ami_port, s.ami_user, "wrong", timeout=2))
    assert result["ok"] is False


def _originate_into_dialplan(asterisk: AsteriskInstance, call_id: str) -> None:
    s = asterisk.settings
    body = json.dumps({"variables": {"CC_CALL_ID": call_id}}).encode()
    url = (
        f"{asterisk.ari_url}/channels?endpoint=Local/wait@cc-test&context=cc-ai&extension=start"
        f"&priority=1&channelId={call_id}"
    )
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    token = base64.b64encode(f"{s.ari_user}:{s.ari_password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    urllib.request.urlopen(request, timeout=5).close()


def test_answered_call_without_the_stasis_app_goes_to_a_human_queue(asterisk_server: AsteriskInstance) -> None:
    """The fail-safe: nobody holds the ARI app, so Stasis() fails and the dialplan queues the caller."""
    s = asterisk_server.settings
    call_id = str(uuid.uuid4())

    async def go() -> dict:
        loop = asyncio.get_running_loop()
        joined: asyncio.Future[dict] = loop.create_future()
        logged_in: asyncio.Future[bool] = loop.create_future()
        manager = Manager(
            loop=loop, host="127.0.0.1", port=s.ami_port, username=s.ami_user, secret=s.ami_secret,
            on_login=lambda m: logged_in.done() or logged_in.set_result(True),
        )  # fmt: skip

        def on_join(_: Manager, event: dict) -> None:
            if channel_variables(event).get("CC_CALL_ID") == call_id and not joined.done():
                joined.set_result(dict(event))

        manager.register_event("QueueCallerJoin", on_join)
        await manager.connect()
        await asyncio.wait_for(logged_in, 5)
        try:
            await loop.run_in_executor(None, _originate_into_dialplan, asterisk_server, call_id)
            return await asyncio.wait_for(joined, 10)
        finally:
            await manager.send_action({"Action": "Hangup", "Channel": f"/^Local/wait@cc-test-/"})
            manager.close()

    event = asyncio.run(go())
    assert event["Queue"] == "support"
    assert channel_variables(event)["CC_ESCALATION_REASON"] == "failsafe"
