"""After (re)connecting to ARI: channels in our app that this process does not own."""

from __future__ import annotations

from pbx.api import HandoverReason
from pbx.ari.client import AriError, AriRest
from pbx.calls.channels import hang_up, to_failsafe
from pbx.calls.registry import CallRegistry


async def reconcile(rest: AriRest, app: str, registry: CallRegistry) -> list[str]:
    """Nobody knows the state of a call left from before: an answered caller goes to a human
    queue, the rest (ringing channels, media legs and bridges of lost calls) are cleared.
    Returns the channels handed to a human."""
    try:
        application = await rest.get(f"applications/{app}")
    except AriError:
        return []
    handed_over = []
    for channel_id in application.get("channel_ids", []):
        if registry.owns_channel(channel_id):
            continue
        try:
            channel = await rest.get(f"channels/{channel_id}")
        except AriError:
            continue
        if str(channel.get("name", "")).startswith("UnicastRTP/"):
            await hang_up(rest, channel_id)  # a media leg of a call we lost
        elif channel.get("state") == "Up":
            await to_failsafe(rest, channel_id, HandoverReason.PBX_RESTART)
            handed_over.append(channel_id)
        else:
            await hang_up(rest, channel_id)
    for bridge_id in application.get("bridge_ids", []):
        if not any(leg.bridge_id == bridge_id for leg in registry.media.values()):
            try:
                await rest.delete(f"bridges/{bridge_id}")
            except AriError:
                pass
    return handed_over
