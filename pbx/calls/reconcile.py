"""After (re)connecting to ARI: channels in our app that this process does not own, and
calls this process holds whose channel Asterisk no longer has."""

from __future__ import annotations

import logging

from pbx.api import CallOutcome, HandoverReason
from pbx.ari.client import AriError, AriRest
from pbx.calls.channels import hang_up, to_failsafe
from pbx.calls.ending import CallEnding, final_outcome
from pbx.calls.live import CallState, LiveCall
from pbx.calls.registry import CallRegistry
from pbx.calls.supervision import is_supervision_channel

log = logging.getLogger(__name__)

# The cause a call lost this way is ended with (no Q.850 cause: Asterisk never hung it up).
LOST_CAUSE = "asterisk_lost_channel"

# Answered and past the answering-machine check: the customer was reached.
_REACHED = (CallState.WITH_BOT, CallState.ESCALATING, CallState.QUEUED, CallState.WITH_AGENT)


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
        if str(channel.get("name", "")).startswith(("UnicastRTP/", "Snoop/")) or is_supervision_channel(channel_id):
            await hang_up(rest, channel_id)  # a media leg, or a supervisor's leg or snoop, of a call we lost
        elif channel.get("state") == "Up":
            await to_failsafe(rest, channel_id, HandoverReason.PBX_RESTART)
            handed_over.append(channel_id)
        else:
            await hang_up(rest, channel_id)
    for bridge_id in application.get("bridge_ids", []):
        if not registry.owns_bridge(bridge_id):
            try:
                await rest.delete(f"bridges/{bridge_id}")
            except AriError:
                pass
    return handed_over


def lost_outcome(call: LiveCall) -> tuple[CallOutcome, str]:
    """(outcome, detail) of a call whose channel Asterisk lost (it restarted): what the call
    had come to, as far as pbx knows. Never answered → ``failed`` (the dialer's retry rules
    call again); the customer reached and no result yet → ``dropped`` (not called again by
    itself); a result the bot already had, an answering machine, an after-hours caller keep theirs."""
    where = call.state.value
    if call.answered_at is None or call.state is CallState.DIALING:
        return (CallOutcome.FAILED, f"Asterisk lost the call before it was answered ({where})")
    if call.state in _REACHED:
        outcome, detail = final_outcome(call)
        if call.transfer is None and outcome not in (CallOutcome.HUNG_UP, CallOutcome.ESCALATED):
            return (outcome, detail)  # the bot had its result before the line was cut
        queue = f" for {call.transfer.queue}" if call.transfer is not None else ""
        return (CallOutcome.DROPPED, f"Asterisk lost the call while {where}{queue}")
    if call.state is CallState.SCREENING:
        return (CallOutcome.FAILED, "Asterisk lost the call during answering-machine detection")
    outcome, detail = final_outcome(call)
    return (outcome, f"{detail}; Asterisk lost the call" if detail else "Asterisk lost the call")


async def end_lost_calls(rest: AriRest, registry: CallRegistry, ending: CallEnding,
                         in_flight: set[str]) -> list[str]:  # fmt: skip
    """End every call whose channel Asterisk no longer has (after a restart no event ever
    says so): each ends once, with :func:`lost_outcome`. ``in_flight``: calls being
    originated right now, whose channel may not exist *yet*. Returns the calls ended."""
    held = [call for call in registry.calls.values() if call.call_id not in in_flight]
    if not held:
        return []
    try:
        channels = await rest.get("channels")
    except AriError as exc:  # nothing known: nothing ended on a guess
        log.warning("could not list Asterisk's channels to find lost calls: %s", exc)
        return []
    alive = {channel.get("id") for channel in channels or []}
    ended = []
    for call in held:
        # in_flight again: the set changes while we waited for the channel list.
        if call.channel_id in alive or call.state is CallState.ENDED or call.call_id in in_flight:
            continue
        outcome, detail = lost_outcome(call)
        log.warning("call %s: Asterisk no longer has its channel (%s); ended as %s", call.call_id,
                    call.state.value, outcome)  # fmt: skip
        await ending.end(call, outcome, cause=LOST_CAUSE, detail=detail)
        ended.append(call.call_id)
    return ended
