"""Real round trips to Asterisk's AMI through panoramisk, including the fail-safe path."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from panoramisk import Manager

from ops.stack.asterisk import AsteriskInstance
from ops.stack.checks import ami_round_trip
from pbx.ami import AmiLink, channel_variables

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
    path = f"channels?endpoint=Local/wait@cc-test&context=cc-ai&extension=start&priority=1&channelId={call_id}"
    asterisk.ari_request("POST", path, {"variables": {"CC_CALL_ID": call_id}})


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
            manager.close()
            # Leave the queue empty for the other tests.
            await loop.run_in_executor(None, asterisk_server.ari_request, "DELETE", f"channels/{call_id}")

    event = asyncio.run(go())
    assert event["Queue"] == "sales"  # the test topology's fail-safe queue
    assert channel_variables(event)["CC_ESCALATION_REASON"] == "failsafe"


async def until_filtered(link: AmiLink, timeout_s: float = 5.0) -> None:
    """Until the started ``link`` logged in and set its event filters (or ``timeout_s``)."""
    for _ in range(int(timeout_s / 0.1)):
        if link.filtered:
            return
        await asyncio.sleep(0.1)


def test_pbx_session_receives_only_the_events_it_handles(asterisk_server: AsteriskInstance) -> None:
    """AmiLink asks Asterisk for the events it has handlers for: the Hangup of a call comes,
    its Newchannel (also of the call class this user may read) does not."""
    s = asterisk_server.settings
    call_id = str(uuid.uuid4())

    async def go() -> tuple[list[str], list[str], bool]:
        loop = asyncio.get_running_loop()
        link = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        hangups: list[str] = []
        unwanted: list[str] = []
        hung_up = asyncio.Event()

        def on_hangup(_: Manager, event: dict) -> None:
            if event.get("Uniqueid", "").startswith(call_id):
                hangups.append(event["Uniqueid"])
                hung_up.set()

        link.on_event("Hangup", on_hangup)
        # Straight on the session, behind AmiLink's back: what Asterisk still sends beyond the filter.
        link._manager.register_event("Newchannel", lambda _, event: unwanted.append(event.get("Uniqueid", "")))
        await link.start()
        try:
            await until_filtered(link)
            path = (f"channels?endpoint=Local/wait@cc-test&context=cc-test&extension=wait&priority=1"
                    f"&channelId={call_id}&otherChannelId={call_id}-2")
            await loop.run_in_executor(None, asterisk_server.ari_request, "POST", path, {})
            await asyncio.sleep(0.3)
            await loop.run_in_executor(None, asterisk_server.ari_request, "DELETE", f"channels/{call_id}")
            await asyncio.wait_for(hung_up.wait(), 10)
        finally:
            link.close()
        return hangups, unwanted, link.filtered

    hangups, unwanted, filtered = asyncio.run(go())
    assert filtered and hangups
    assert unwanted == []
