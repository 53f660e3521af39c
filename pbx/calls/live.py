"""What pbx knows about one live call."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pbx.aio import BackgroundTasks
from pbx.api import CallOutcome, InboundRoute, OriginateCall

if TYPE_CHECKING:
    from pbx.calls.protocols import Conversation
    from pbx.media.player import PromptPlayer
    from pbx.media.reframe import Reframer
    from pbx.media.rtp import RtpEndpoint


class CallState(enum.Enum):
    DIALING = "dialing"
    SCREENING = "screening"  # answered; AMD() in the dialplan is deciding human or machine
    LEAVING_MESSAGE = "leaving_message"  # a machine: the dialplan plays the voicemail message
    WITH_BOT = "with_bot"
    ESCALATING = "escalating"  # bridging phrase playing, leaving Stasis
    AFTER_HOURS = "after_hours"  # an inbound caller in the dialplan's after-hours action (pbx.calls.inbound)
    QUEUED = "queued"  # in Queue(), waiting for a human
    WITH_AGENT = "with_agent"
    ENDED = "ended"


@dataclass
class MediaLeg:
    bridge_id: str
    channel_id: str
    rtp: RtpEndpoint
    ready: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Transfer:
    transfer_id: str
    queue: str
    reason: str
    score: float
    decided_at: float  # time.time() of the decision (before the bridging phrase)
    requested_at: float  # time.time() the engine started moving the call
    queue_joined_at: float | None = None
    # The agent answered a direct Dial (a pre-alert reservation rung first), not the queue:
    # no AgentComplete follows, so pbx says they are free again when the call ends.
    direct_agent: str = ""
    # Who answered (queue member or dialled phone) and their channel's ARI id: a supervisor's
    # whisper is heard on that channel only (pbx.calls.supervision).
    agent: str = ""
    agent_channel: str = ""
    # A supervisor took the call over to their own phone (cc-supervisor-phone), not to a queue:
    # ``queue`` is then where the caller goes if that phone does not answer.
    phone: str = ""

    @property
    def decision_to_queue_ms(self) -> float | None:
        if self.queue_joined_at is None:
            return None
        return round((self.queue_joined_at - self.decided_at) * 1000, 1)

    @property
    def transfer_to_queue_ms(self) -> float | None:
        """The mechanics alone: variables, media leg down, continue, Queue() joined."""
        if self.queue_joined_at is None:
            return None
        return round((self.queue_joined_at - self.requested_at) * 1000, 1)


@dataclass
class Reservation:
    """An agent held for this call (pre-alert; ``pbx.calls.reservations``)."""

    agent: str
    queue: str
    auto_answer: bool
    until: float  # time.time() it times out
    rung: bool = False  # the call escalated to ``queue``: the dialplan rings this agent first


@dataclass
class LiveCall:
    call_id: str
    channel_id: str
    direction: str
    command: OriginateCall | None
    route: InboundRoute | None = None  # inbound calls: what the DID maps to
    did: str = ""  # inbound calls: the number dialled
    caller: str = ""  # inbound calls: the caller's number, as the trunk presented it
    after_hours: str = ""  # the after-hours action the call was given (and why), for its outcome
    voicemail_file: str = ""  # where the after-hours voicemail records (no extension), as Asterisk sees it
    state: CallState = CallState.DIALING
    answered_at: float | None = None
    media: MediaLeg | None = None
    conversation: Conversation | None = None
    transfer: Transfer | None = None
    hangup_cause: str = ""
    # (outcome, detail) the bot gave when it hung up: the call's outcome once the line is down.
    hangup_outcome: tuple[CallOutcome, str] | None = None
    amd_verdict: str = ""  # AMDSTATUS (HUMAN, MACHINE, NOTSURE, HANGUP) when the campaign screens
    tasks: BackgroundTasks = field(init=False, repr=False)
    players: list[PromptPlayer] = field(default_factory=list)  # the line clocks feeding this call's media legs
    last_audio_in: float = 0.0  # time.monotonic() of the caller's last RTP packet
    reframer: Reframer | None = None  # once the bot listens
    at_risk: bool = False  # VoiceWatch's risk is past the pre-alert threshold (the last call.at_risk)
    reservation: Reservation | None = None
    # The supervisor who took the call over by hand: from then on no other escalation moves it
    # (pbx.calls.escalation), until it is back with the bot after a queue nobody answered.
    taken_over_by: str = ""
    # Held while the call is being moved out of Stasis: a takeover waits for an escalation
    # already under way to go through or step aside.
    moving: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def escalation_queue(self) -> str:
        source = self.command or self.route
        return source.escalation_queue if source is not None else ""

    @property
    def straight_to_queue(self) -> bool:
        """An inbound call whose route is a queue: no bot is ever started on it."""
        return self.route is not None and self.route.target == "queue" and self.conversation is None

    @property
    def screens_machines(self) -> bool:
        return self.command is not None and self.command.variables.get("CC_AMD") == "1"

    def __post_init__(self) -> None:
        self.tasks = BackgroundTasks(f"call {self.call_id}")

    def spawn(self, coro) -> asyncio.Task:
        """Run a background job tied to this call: kept referenced, cancelled when it ends."""
        return self.tasks.spawn(coro)

    def cancel_tasks(self) -> None:
        self.tasks.cancel_all()
