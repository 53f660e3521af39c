"""Channel moves that need no live call: hang one up, hand one to the fail-safe queue."""

from __future__ import annotations

import logging

from pbx.ari.client import AriError, AriRest

log = logging.getLogger(__name__)


async def hang_up(rest: AriRest, channel_id: str) -> None:
    try:
        await rest.delete(f"channels/{channel_id}")
    except AriError as exc:
        log.info("hang-up of %s: %s", channel_id, exc)


async def to_failsafe(rest: AriRest, channel_id: str, reason: str) -> None:
    """To a human through the dialplan's fail-safe queue, with ``reason`` for the agent's screen."""
    try:
        await rest.post(f"channels/{channel_id}/variable", variable="CC_ESCALATION_REASON", value=reason)
        await rest.post(f"channels/{channel_id}/continue", context="cc-failsafe", extension="s", priority=1)
    except AriError as exc:
        log.warning("could not hand channel %s to a human: %s", channel_id, exc)
