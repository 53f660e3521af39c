"""Which channel a supervisor's snoop hangs on, and which way it spies and whispers (pure).

An ARI snoop channel (``POST /channels/{id}/snoop``) copies a channel's audio to whoever it
is bridged with (``spy``) and mixes what they say into that channel (``whisper``). Directions
are the spied channel's: ``in`` is what comes from its far end (what that party says, which
the call's bridge carries to everyone else), ``out`` is what goes to it (what that party hears).

On a call with an agent, the snoop hangs on the agent's channel, spying both ways (the agent,
and the customer the agent hears):

- listen: whisper none;
- whisper: whisper out, into what the agent's phone gets only;
- barge: whisper both: the agent hears the supervisor (out), and the bridge carries them to the
  customer (in).

Before there is an agent (with the bot, waiting in a queue) it hangs on the customer's channel,
spying both ways (the customer and all they hear: the bot, the queue's music): listen with
whisper none, barge with whisper both (the customer hears it, and the bot does: a third party
on the call is heard by everyone on it). A whisper is refused there: the bot would take the
supervisor's words for the customer's. If pbx missed the agent's channel id, the customer's
channel serves with whisper in for a whisper (the bridge carries it to the agent, never back).

Why not always the customer's channel: it has been through pbx's bridge with the bot and into
Queue(), and a snoop on it was seen to miss, now and then and for good, what is written to it
once it is bridged with the agent (the agent's voice; tests/realstack/test_supervisors.py). The
agent's channel, dialled straight into that bridge, carried both voices every time. pbx makes
the supervisor's snoop anew when the agent answers (pbx.calls.supervision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pbx.api import SupervisionMode
from pbx.calls.live import CallState

Direction = Literal["none", "in", "out", "both"]

# Calls someone can be heard on: answered and past the answering-machine check.
SUPERVISABLE = frozenset({CallState.WITH_BOT, CallState.ESCALATING, CallState.QUEUED, CallState.WITH_AGENT})


@dataclass(frozen=True)
class SnoopPlan:
    channel_id: str
    spy: Direction
    whisper: Direction


@dataclass(frozen=True)
class Refused:
    why: str


def snoop_plan(mode: SupervisionMode, state: CallState, customer_channel: str,
               agent_channel: str = "") -> SnoopPlan | Refused:  # fmt: skip
    if state not in SUPERVISABLE:
        return Refused(f"nothing to supervise: the call is {state.value}")
    if state is CallState.WITH_AGENT and agent_channel:
        return SnoopPlan(agent_channel, spy="both", whisper=_AGENT_WHISPER[mode])
    if mode is SupervisionMode.LISTEN:
        return SnoopPlan(customer_channel, spy="both", whisper="none")
    if mode is SupervisionMode.BARGE:
        return SnoopPlan(customer_channel, spy="both", whisper="both")
    if state is not CallState.WITH_AGENT:
        return Refused(f"no agent on the call to whisper to (it is {state.value}); the bot would take the "
                       "supervisor's words for the customer's: listen, barge or take over")  # fmt: skip
    return SnoopPlan(customer_channel, spy="both", whisper="in")


_AGENT_WHISPER: dict[SupervisionMode, Direction] = {
    SupervisionMode.LISTEN: "none",
    SupervisionMode.WHISPER: "out",
    SupervisionMode.BARGE: "both",
}
