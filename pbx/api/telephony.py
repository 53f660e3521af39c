"""What the PBX is made of, as Django describes it to pbx: agents' phones, queues, trunks, hours.

These are the words of the configuration snapshot (``pbx.api.config.PbxConfig``). Django builds
them from its models; pbx renders them into Asterisk's configuration (``asterisk_config``) and
reloads it. Every value here ends up inside an Asterisk config line, so each is checked for
shape here, at the boundary, and nothing free-form crosses it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from pbx.api._model import ContractModel

# Names end up in config section headers, dialplan extensions and channel names: keep them inert.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
# E.164: a +, then at most 15 digits, the first not 0.
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"
# An Asterisk extension pattern: _ then digits, +, X/Z/N, [digit ranges], and a trailing . or !.
# No character that means anything else in a dialplan line.
DIAL_PATTERN = r"^_\+?(?:[0-9XZN]|\[[0-9-]+\])+[.!]?$"
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_SIP_URI = re.compile(r"^sips?:[A-Za-z0-9_.@:-]+$")
# Characters that would end or split a line of Asterisk configuration.
_CONFIG_UNSAFE = re.compile(r"[\x00-\x1f;\[\]\"\\]")

# The digest realm of every agent's credentials: the md5 hash below is taken over it, so
# Asterisk's auth sections and the hash must agree (asterisk_config renders ``realm`` from here).
SIP_REALM = "contactcenter"

QueueStrategy = Literal["ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "rrordered", "linear", "wrandom"]
QUEUE_STRATEGIES: tuple[str, ...] = QueueStrategy.__args__  # type: ignore[attr-defined]
# app_queue keeps a linear/rrordered queue's members in an ordered list chosen when it creates the
# queue; a reload renames the strategy (seen here) but keeps the container it had, so the order
# these strategies promise is not assured on a live queue: Django refuses the switch.
ORDERED_STRATEGIES = frozenset({"linear", "rrordered"})
PhoneTransport = Literal["udp", "tcp", "webrtc"]
TrunkTransport = Literal["udp", "tcp"]
AfterHoursAction = Literal["message", "voicemail", "callback"]
InboundTarget = Literal["flow", "queue"]


def md5_cred(username: str, password: str, realm: str = SIP_REALM) -> str:
    """The hash Asterisk's ``auth_type = md5`` checks digests against: no password leaves Django."""
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 (SIP digest is MD5)


def agent_sip_password(secret: str, agent_name: str, generation: int = 0, *, salt: str = "") -> str:
    """An agent's SIP password, derived from the installation's agent secret.

    Derived, not stored: the console hands it to that agent's browser, the admin shows it to
    whoever sets up their desk phone, and a new ``generation`` (rotate) invalidates the old one.
    Each agent gets its own, so one agent's password does not register as a colleague.
    ``salt`` is the agent row's own random value (made when the row is, replaced on rotate), so
    an agent deleted and made again under the same name does not get the old phone's password
    back; rows from before salts have none and keep the password their phones were given.
    """
    if salt:
        # name and generation hold no ':', so the salt (last) cannot make two agents' messages equal.
        message = f"sip:{agent_name}:{generation}:{salt}"
    else:
        message = f"webrtc:{agent_name}" if generation == 0 else f"sip:{agent_name}:{generation}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


class AgentPhone(ContractModel):
    """An agent's SIP endpoint: it registers as ``name`` with digest credentials."""

    name: str = Field(pattern=NAME_PATTERN)
    md5_cred: str = Field(pattern=r"^[0-9a-f]{32}$")
    transport: PhoneTransport = "udp"
    # A phone that does not register (the demo's simulated softphones): where it is reached.
    static_contact: str = ""
    display_name: str = ""

    @field_validator("static_contact")
    @classmethod
    def _sip_uri(cls, value: str) -> str:
        if value and not _SIP_URI.fullmatch(value):
            raise ValueError(f"{value!r} is not a SIP URI")
        return value

    @field_validator("display_name")
    @classmethod
    def _inert(cls, value: str) -> str:
        return _CONFIG_UNSAFE.sub("", value)[:60]


class QueueMember(ContractModel):
    agent: str = Field(pattern=NAME_PATTERN)
    penalty: int = Field(0, ge=0, le=100)


class QueueSpec(ContractModel):
    """A human queue and who answers it."""

    name: str = Field(pattern=NAME_PATTERN)
    strategy: QueueStrategy = "rrmemory"
    ring_timeout_s: int = Field(15, ge=1, le=600)
    # How long a caller waits before the call goes back to the bot (it offers a callback).
    max_wait_s: int = Field(60, ge=5, le=86400)
    wrap_up_s: int = Field(0, ge=0, le=3600)
    service_level_s: int = Field(20, ge=1, le=3600)
    # After overflow_after_s in this queue a caller moves to overflow_queue (still waiting).
    overflow_queue: str | None = Field(None, pattern=NAME_PATTERN)
    overflow_after_s: int | None = Field(None, ge=5, le=86400)
    music_class: str = Field("default", pattern=r"^[A-Za-z0-9_-]{1,40}$")
    announce_position: bool = False
    announce_frequency_s: int = Field(0, ge=0, le=3600)
    members: tuple[QueueMember, ...] = ()

    @model_validator(mode="after")
    def _overflow(self) -> QueueSpec:
        if (self.overflow_queue is None) != (self.overflow_after_s is None):
            raise ValueError(f"queue {self.name}: overflow needs both a queue and a number of seconds")
        if self.overflow_queue == self.name:
            raise ValueError(f"queue {self.name} cannot overflow into itself")
        if len({m.agent for m in self.members}) != len(self.members):
            raise ValueError(f"queue {self.name} lists an agent twice")
        return self


class TrunkSpec(ContractModel):
    """A carrier: where outbound calls go and inbound DIDs come from."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    host: str
    port: int = Field(5060, ge=1, le=65535)
    transport: TrunkTransport = "udp"
    # Outbound authentication (and registration, when the carrier wants it).
    username: str = Field("", pattern=r"^[A-Za-z0-9_.+-]{0,64}$")
    password: str = ""
    registers: bool = False
    # The caller ID presented when a call names none; E.164.
    caller_id: str = Field("", pattern=r"^(?:\+[1-9][0-9]{1,14})?$")
    # What may be dialled through it (by campaigns and, if allowed, agents): extension patterns.
    destination_patterns: tuple[str, ...] = ()
    max_channels: int | None = Field(None, ge=1, le=10000)
    agents_may_dial: bool = False

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not _HOST.fullmatch(value):
            raise ValueError(f"{value!r} is not a host name or IPv4 address")
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        if _CONFIG_UNSAFE.search(value) or len(value) > 128:
            raise ValueError("a trunk password may not hold control characters, ; [ ] \" or \\")
        return value

    @field_validator("destination_patterns")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            if not re.fullmatch(DIAL_PATTERN, pattern):
                raise ValueError(f"dial pattern {pattern!r} must look like _+91XXXXXXXXXX (digits, X, Z, N, "
                                 "[ranges], a trailing . or !)")  # fmt: skip
        return value

    @model_validator(mode="after")
    def _registration(self) -> TrunkSpec:
        if self.registers and not (self.username and self.password):
            raise ValueError(f"trunk {self.name}: registration needs a username and a password")
        return self


class OpeningWindow(ContractModel):
    """Open from ``opens`` to ``closes`` on ``weekday`` (0 Monday .. 6 Sunday), local time."""

    weekday: int = Field(ge=0, le=6)
    opens: time
    closes: time

    @model_validator(mode="after")
    def _order(self) -> OpeningWindow:
        if self.closes <= self.opens:
            raise ValueError("a window closes after it opens (split a night shift into two days)")
        return self


class OpeningHours(ContractModel):
    """Business hours and the holidays they do not apply on."""

    timezone: str = "UTC"
    windows: tuple[OpeningWindow, ...] = ()
    holidays: tuple[date, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def open_at(self, when: datetime) -> bool:
        """Whether a call arriving at ``when`` (timezone-aware) finds the business open."""
        local = when.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        now = local.time().replace(tzinfo=None)
        return any(w.weekday == local.weekday() and w.opens <= now < w.closes for w in self.windows)
