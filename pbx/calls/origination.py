"""New calls: the ones pbx dials, and the ones that ring in on a DID."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp

from pbx.api import CallOutcome, CallStarted, InboundRoute, OriginateCall, new_id
from pbx.ari.client import AriError, AriRest
from pbx.calls.ending import CallEnding
from pbx.calls.live import LiveCall
from pbx.calls.protocols import CallPreparer, Publish
from pbx.calls.registry import CallRegistry
from pbx.calls.stasis_args import Inbound, Outbound, stasis_args

# Command variables that are settings for pbx itself (read from the command, never by the
# dialplan): kept off the channel, where each would be one more ChannelVarset for Asterisk to
# publish on every call (the safe-harbour text is a sentence long).
PBX_ONLY_VARIABLES = frozenset({"CC_SAFE_HARBOUR", "CC_AMD", "CC_AMD_ACTION", "CC_VOICEMAIL_MESSAGE"})

InboundRoutes = Callable[[str], Awaitable[InboundRoute | None]]


class Origination:
    def __init__(self, rest: AriRest, dial_rest: AriRest, app: str, publish: Publish, registry: CallRegistry,
                 ending: CallEnding, inbound_routes: InboundRoutes | None,
                 prepare: CallPreparer | None = None) -> None:  # fmt: skip
        """``dial_rest``: originates go on connections of their own (see PbxSettings.ari_dial_connections);
        ``prepare``: told of each call once dialled (the bot synthesises its prompts while it rings)."""
        self._rest = rest
        self._dial_rest = dial_rest
        self._app = app
        self._publish = publish
        self._registry = registry
        self._ending = ending
        self._inbound_routes = inbound_routes
        self._prepare = prepare
        # Calls whose originate request is on its way: Asterisk may not have their channel yet.
        self.in_flight: set[str] = set()

    async def originate(self, command: OriginateCall) -> None:
        if command.call_id in self._registry.calls:
            return  # a redelivered command: the call already exists
        call = LiveCall(call_id=command.call_id, channel_id=command.call_id, direction="outbound", command=command)
        self._registry.add(call)
        variables = {"CC_CALL_ID": call.call_id,
                     **{k: v for k, v in command.variables.items() if k not in PBX_ONLY_VARIABLES}}  # fmt: skip
        await self._publish(CallStarted(call_id=call.call_id, direction="outbound", endpoint=command.endpoint,
                                        campaign_id=command.campaign_id, lead_id=command.lead_id,
                                        flow=command.flow_name))  # fmt: skip
        self.in_flight.add(call.call_id)
        try:
            await self._dial_rest.post(
                "channels", body={"variables": variables}, endpoint=command.endpoint, app=self._app,
                appArgs=",".join(stasis_args(Outbound())), callerId=command.caller_id or None,
                timeout=command.timeout_s, channelId=call.channel_id,
            )  # fmt: skip
        except AriError as exc:
            await self._ending.end(call, CallOutcome.FAILED, cause=str(exc.status), detail=exc.message)
            return
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            # Asterisk down (restarting): no channel was made, and no event will ever end this call.
            await self._ending.end(call, CallOutcome.FAILED, cause="asterisk_unreachable",
                                   detail=f"Asterisk unreachable: {type(exc).__name__}: {exc}"[:300])  # fmt: skip
            return
        finally:
            self.in_flight.discard(call.call_id)
        if self._prepare is not None:
            self._prepare(command)

    async def inbound(self, channel_id: str, inbound: Inbound, caller: str = "") -> LiveCall:
        """A caller the dialplan sent in from the trunk: the call, routed by the DID they dialled."""
        route = await self._inbound_routes(inbound.did) if self._inbound_routes is not None else None
        call = LiveCall(call_id=new_id(), channel_id=channel_id, direction="inbound", command=None, route=route,
                        did=inbound.did, caller=caller)  # fmt: skip
        self._registry.add(call)
        await self._publish(CallStarted(call_id=call.call_id, direction="inbound", endpoint=inbound.did, caller=caller,
                                        flow="" if route is None else route.flow_name,
                                        campaign_id=route.campaign_id if route else None))  # fmt: skip
        try:
            await self._rest.post(f"channels/{call.channel_id}/variable", variable="CC_CALL_ID", value=call.call_id)
        except AriError:
            pass
        return call
