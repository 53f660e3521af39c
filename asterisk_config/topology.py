"""What Asterisk must know about people and queues: agent SIP endpoints and human queues.

Plain data so the management command (from Django models), the stack runner and the test
fixtures can all describe a PBX without Django.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from asterisk_config.dialling import check_dial_pattern
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def _check_name(kind: str, value: str) -> None:
    # Names end up inside config section headers and dialplan extensions: keep them inert.
    if not _NAME.match(value):
        raise ValueError(f"{kind} name {value!r} must be 1-40 letters, digits, '_', '.' or '-'")


@dataclass(frozen=True)
class AgentEndpoint:
    """A human agent's softphone: a PJSIP endpoint that registers with a password."""

    name: str
    password: str
    webrtc: bool = False  # browser softphones need DTLS-SRTP, ICE and the WebSocket transport
    static_contact: str = ""  # e.g. sip:agent1@127.0.0.1:5071 for a phone that does not register

    def __post_init__(self) -> None:
        _check_name("agent", self.name)
        if len(self.password) < 8 or any(c in self.password for c in "\n\r;[]"):
            raise ValueError(f"agent {self.name!r} needs a password of 8+ characters without ;[] or newlines")
        if self.static_contact and not re.match(r"^sips?:[A-Za-z0-9_.@:-]+$", self.static_contact):
            raise ValueError(f"agent {self.name!r}: static contact {self.static_contact!r} is not a SIP URI")


@dataclass(frozen=True)
class HumanQueue:
    """A queue of human agents that AI calls escalate into."""

    name: str
    members: tuple[str, ...] = ()
    strategy: str = "rrmemory"
    ring_timeout_s: int = 15
    # How long a caller may wait before the call goes back to the bot (it offers a callback).
    max_wait_s: int = 60

    def __post_init__(self) -> None:
        _check_name("queue", self.name)
        for member in self.members:
            _check_name("queue member", member)
        if self.strategy not in {"ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "rrordered", "linear"}:
            raise ValueError(f"queue {self.name!r}: unknown strategy {self.strategy!r}")


@dataclass(frozen=True)
class Topology:
    agents: tuple[AgentEndpoint, ...] = ()
    queues: tuple[HumanQueue, ...] = ()
    failsafe_queue: str = "support"
    # The dial policy of agent endpoints: extension patterns (e.g. ``_+91XXXXXXXXXX``) they may
    # dial out through the trunk. None by default: agents take calls, their phones reach only
    # the console's feature codes.
    agent_dial_patterns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for pattern in self.agent_dial_patterns:
            check_dial_pattern(pattern)
        agent_names = {a.name for a in self.agents}
        if len(agent_names) != len(self.agents):
            raise ValueError("agent names must be unique")
        queue_names = {q.name for q in self.queues}
        if len(queue_names) != len(self.queues):
            raise ValueError("queue names must be unique")
        if self.failsafe_queue not in queue_names:
            raise ValueError(f"the fail-safe queue {self.failsafe_queue!r} is not one of the queues")
        for queue in self.queues:
            unknown = set(queue.members) - agent_names
            if unknown:
                raise ValueError(f"queue {queue.name!r} lists unknown agents: {', '.join(sorted(unknown))}")


def webrtc_password(secret: str, agent_name: str) -> str:
    """The SIP password of a browser softphone, derived from the installation's agent secret.

    Each web agent gets its own: the console hands it to that agent's browser only, so an
    agent who reads it from the page cannot register as a colleague.
    """
    return hmac.new(secret.encode(), f"webrtc:{agent_name}".encode(), hashlib.sha256).hexdigest()[:32]


# The browser softphone of the agent console (webrtc=yes); an unregistered one is skipped by the queue.
DEFAULT_WEB_AGENT = "webagent1"


def default_topology(agent_password: str, simulated_agent_ports: tuple[int, ...] = ()) -> Topology:
    """Two agents and a web-console agent in one support queue: enough for the demo and the fail-safe.

    With ``simulated_agent_ports`` (the demo), each agent's phone is a simulated softphone
    answering on that local port instead of a registered device, and the queue offers calls in
    turn starting with ``webagent1``. ``webagent1`` is the agent console's browser softphone; while no
    browser is registered the queue does not ring it.
    """
    contacts = [f"sip:agent{i + 1}@127.0.0.1:{port}" for i, port in enumerate(simulated_agent_ports)]
    agents = tuple(
        AgentEndpoint(f"agent{i + 1}", agent_password, static_contact=contacts[i] if i < len(contacts) else "")
        for i in range(2)
    )
    web = AgentEndpoint(DEFAULT_WEB_AGENT, webrtc_password(agent_password, DEFAULT_WEB_AGENT), webrtc=True)
    if simulated_agent_ports:
        # Round robin in the listed order (rrmemory would follow a hash order): the demo's first
        # escalation rings the browser agent, so the person watching the console sees one
        # arrive there, and the calls after it take turns with the softphones.
        support = HumanQueue("support", members=(web.name, *(a.name for a in agents)), strategy="rrordered")
    else:
        support = HumanQueue("support", members=(*(a.name for a in agents), web.name))
    return Topology(agents=(*agents, web), queues=(support,), failsafe_queue="support")
