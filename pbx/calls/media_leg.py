"""Bridge the caller with an ExternalMedia channel whose RTP comes to our UDP endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pbx.api import new_id
from pbx.ari.client import AriRest
from pbx.calls.live import MediaLeg
from pbx.media.codec import MediaFormat
from pbx.media.rtp import RtpEndpoint


class MediaSetupError(Exception):
    pass


async def open_media_leg(rest: AriRest, app: str, caller_channel: str, fmt: MediaFormat,
                         on_payload: Callable[[bytes], None], register: Callable[[MediaLeg], None],
                         timeout_s: float = 5.0) -> MediaLeg:  # fmt: skip
    """Create bridge + ExternalMedia, wait for the media channel to enter Stasis, bridge both.

    ``register`` is called before the media channel can produce events, so the engine can
    route its StasisStart to ``leg.ready``.
    """
    rtp = await RtpEndpoint.open(on_payload)
    bridge_id, media_id = new_id(), new_id()
    leg = MediaLeg(bridge_id=bridge_id, channel_id=media_id, rtp=rtp)
    register(leg)
    try:
        await rest.post("bridges", type="mixing", bridgeId=bridge_id, name=f"cc-{caller_channel}")
        host, port = rtp.local_address
        channel = await rest.post(
            "channels/externalMedia", app=app, external_host=f"{host}:{port}", format=fmt.name,
            channelId=media_id, encapsulation="rtp", transport="udp", connection_type="client",
            direction="both",
        )  # fmt: skip
        variables = (channel or {}).get("channelvars") or {}
        if variables.get("UNICASTRTP_LOCAL_PORT"):
            # Where Asterisk listens: we may need to speak before it has sent us anything.
            rtp.peer = (variables.get("UNICASTRTP_LOCAL_ADDRESS", "127.0.0.1"), int(variables["UNICASTRTP_LOCAL_PORT"]))
        try:
            # Not wait_for: on 3.11 it swallows a cancel (the caller hung up, the call's jobs
            # cancelled) that lands as the media channel comes up, and bridges a leg nobody closes.
            async with asyncio.timeout(timeout_s):
                await leg.ready.wait()
        except TimeoutError:
            raise MediaSetupError(f"media channel {media_id} did not enter Stasis within {timeout_s} s") from None
        await rest.post(f"bridges/{bridge_id}/addChannel", channel=f"{caller_channel},{media_id}")
    except BaseException:
        await close_media_leg(rest, leg)
        raise
    return leg


async def close_media_leg(rest: AriRest, leg: MediaLeg) -> None:
    leg.rtp.close()
    for path in (f"channels/{leg.channel_id}", f"bridges/{leg.bridge_id}"):
        try:
            await rest.delete(path)
        except Exception:  # already gone (caller hung up first): nothing left to clean
            pass
