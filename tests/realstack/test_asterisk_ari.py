"""Real round trips to Asterisk's ARI: REST, the events websocket, and the dialplan fail-safe."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest

from ops.stack.asterisk import AsteriskInstance
from pbx.ari.client import AriError, HttpAriRest, basic_auth_header

pytestmark = pytest.mark.realstack


def rest(session: aiohttp.ClientSession, asterisk: AsteriskInstance) -> HttpAriRest:
    s = asterisk.settings
    return HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password)


def test_ari_asterisk_info_round_trip(asterisk_server: AsteriskInstance) -> None:
    info = asterisk_server.ari_info()
    assert info["system"]["version"].startswith("22.")


def test_ari_rejects_a_wrong_password(asterisk_server: AsteriskInstance) -> None:
    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            bad = HttpAriRest(session, asterisk_server.ari_url, asterisk_server.settings.ari_user, "wrong")
            with pytest.raises(AriError) as caught:
                await bad.get("asterisk/info")
            assert caught.value.status == 401

    asyncio.run(go())


def test_rendered_config_is_what_asterisk_runs(asterisk_server: AsteriskInstance) -> None:
    assert "agent1" in asterisk_server.cli("queue show support")
    assert "agent2" in asterisk_server.cli("queue show sales")
    endpoints = asterisk_server.cli("pjsip show endpoints")
    assert "agent1" in endpoints and "trunk" in endpoints
    # autoload=no: only what modules.conf lists, and IAX2 (which listens on all interfaces) is absent
    assert "chan_iax2" not in asterisk_server.cli("module show like iax")
    assert "app_amd.so" in asterisk_server.cli("module show like amd")


async def _next_event(ws: aiohttp.ClientWebSocketResponse, wanted: str, timeout: float = 10) -> dict:
    async with asyncio.timeout(timeout):
        async for message in ws:
            event = message.json()
            if event["type"] == wanted:
                return event
    raise AssertionError(f"websocket closed before {wanted}")


def test_outbound_call_enters_the_stasis_app(asterisk_server: AsteriskInstance) -> None:
    """A call answered by the customer runs cc-ai,start and reaches our app with its variables."""
    s = asterisk_server.settings
    call_id = str(uuid.uuid4())

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            ws_url = asterisk_server.ari_url.replace("http://", "ws://") + "/events"
            async with session.ws_connect(
                ws_url, params={"app": s.ari_app}, headers=basic_auth_header(s.ari_user, s.ari_password)
            ) as ws:
                ari = rest(session, asterisk_server)
                # The Local channel plays the customer: cc-test,wait answers, then our side runs cc-ai.
                await ari.post(
                    "channels", endpoint="Local/wait@cc-test", context="cc-ai", extension="start", priority=1,
                    channelId=call_id, body={"variables": {"CC_CALL_ID": call_id}},
                )  # fmt: skip
                start = await _next_event(ws, "StasisStart")
                assert start["channel"]["id"] == call_id
                assert start["args"] == ["outbound"]
                assert start["channel"]["state"] == "Up"
                var = await ari.get(f"channels/{call_id}/variable", variable="CC_CALL_ID")
                assert var["value"] == call_id
                await ari.delete(f"channels/{call_id}")
                await _next_event(ws, "StasisEnd")

    asyncio.run(go())
