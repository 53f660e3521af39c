"""pbx, seen from the dialer: the live counts it reads, the commands it sends, where a call goes.

Where a call goes is a dial plan, ``(trunk, e164) -> endpoint``: by default
``PJSIP/<e164>@<trunk>`` for a configured trunk and an E.164 number only (``dial_targets``);
tests plug in simulated customers. :func:`build_command` turns a
recorded attempt into its originate command, the same command every time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from asterisk_config.dialling import LOCAL_TRUNK_PREFIX
from contactcenter.campaigns.dial_targets import check_number, check_trunk_shape
from contactcenter.campaigns.flows import CONNECT_TO_AGENT_FLOW
from contactcenter.campaigns.models import AmdAction, CallAttempt, Campaign, Lead
from pbx.api import (
    COMMANDS_STREAM,
    INBOUND_WAITING_KEY,
    LIVE_COUNTS_KEY,
    Command,
    InboundWaiting,
    LiveCounts,
    OriginateCall,
    SchemaError,
    to_fields,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

DialPlan = Callable[[str, str], str]


def trunk_dial_plan(trunk: str, phone: str) -> str:
    """``trunk`` is a PJSIP endpoint (``PJSIP/+919800000001@trunk``), or ``local:<context>`` to
    dial the number as an extension of a dialplan context (``Local/+919800000001@<context>``),
    e.g. one that picks a carrier by prefix, or the demo's simulated customers.

    A trunk that is not shaped like one (or a ``local:`` context not written to take numbers),
    or a number that is not E.164, raises ``DialTargetError`` instead of being dialled. That the
    site configured the trunk, the dialer checks once per batch (``dial_targets.check_trunk``):
    a query per call cost the dialer benchmark a tenth of its rate."""
    check_trunk_shape(trunk)
    check_number(phone)
    if trunk.startswith(LOCAL_TRUNK_PREFIX):
        return f"Local/{phone}@{trunk.removeprefix(LOCAL_TRUNK_PREFIX)}"
    return f"PJSIP/{phone}@{trunk}"


# ------------------------------------------------------------------ pbx, seen from here


class PbxLink(Protocol):
    def send(self, commands: Sequence[OriginateCall]) -> None:
        """All of them, or raise (then none counts as sent; pbx ignores a repeated one)."""

    def live_counts(self) -> LiveCounts | None: ...

    def inbound_waiting(self) -> InboundWaiting | None:
        """Inbound callers waiting per queue (None: pbx has not said)."""


class RedisPbxLink:
    """Commands onto ``cc:pbx:commands``; live counts from ``cc:pbx:live`` (sync redis client)."""

    def __init__(self, redis) -> None:
        self._redis = redis

    def send(self, commands: Sequence[Command]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for command in commands:
            pipe.xadd(COMMANDS_STREAM, to_fields(command))
        pipe.execute()

    def live_counts(self) -> LiveCounts | None:
        """None when pbx has not written them, or wrote what this dialer cannot read: then it
        does not dial (counting a missing state as zero would over-dial)."""
        return self._read_hash(LIVE_COUNTS_KEY, LiveCounts.from_hash, "live counts")

    def inbound_waiting(self) -> InboundWaiting | None:
        return self._read_hash(INBOUND_WAITING_KEY, InboundWaiting.from_hash, "inbound waiting counts")

    def _read_hash(self, key: str, parse: Callable[[dict], T], what: str) -> T | None:
        data = self._redis.hgetall(key)
        if not data:
            return None
        try:
            return parse(data)
        except SchemaError as exc:
            log.warning("pbx's %s are unreadable (%s); not dialling on them", what, exc)
            return None


# ------------------------------------------------------------------ commands


def call_flow(campaign: Campaign) -> str | dict[str, Any]:
    """The flow a campaign's calls run (outbound, and inbound on a route to it): its library flow,
    or for a human dial mode the one that hands the caller straight to the queue."""
    return campaign.flow_name if campaign.is_ai else CONNECT_TO_AGENT_FLOW


def call_policy(campaign: Campaign) -> dict[str, Any]:
    """The VoiceWatch policy of a campaign's calls; empty: pbx's default."""
    return campaign.policy or {}


def build_command(campaign: Campaign, lead: Lead, attempt: CallAttempt) -> OriginateCall:
    """The originate command of an attempt; the same attempt always gives the same command."""
    variables = {
        "CC_CAMPAIGN_ID": str(campaign.pk),
        "CC_LEAD_ID": str(lead.pk),
        "CC_SAFE_HARBOUR": campaign.safe_harbour_message,
        "CC_AMD": "1" if campaign.amd_enabled else "0",
    }
    if campaign.amd_enabled:
        variables["CC_AMD_ACTION"] = campaign.amd_action
        if campaign.amd_action == AmdAction.VOICEMAIL:
            variables["CC_VOICEMAIL_MESSAGE"] = campaign.voicemail_message
    fields = {"language": campaign.flow_language, **lead.flow_fields()}
    return OriginateCall(
        command_id=attempt.command_id, call_id=attempt.call_id, endpoint=attempt.endpoint,
        caller_id=campaign.caller_id, timeout_s=max(5, min(120, campaign.ring_timeout_s)),
        flow=call_flow(campaign), policy=call_policy(campaign), lead=fields, campaign_id=campaign.pk,
        lead_id=lead.pk, escalation_queue=campaign.escalation_queue.name, variables=variables,
    )  # fmt: skip
