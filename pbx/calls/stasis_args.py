"""What a channel's ``Stasis(app, ...)`` arguments say, as one typed value.

The dialplan (``asterisk_config/templates/extensions.conf`` and the queue extensions that
``asterisk_config.render`` writes) and pbx's own originate both send channels into our app;
the first argument names why, the rest are positional. This module is the only reader of
those positions. A call with fewer arguments than its kind has gets empty strings (Asterisk
passes an empty variable as nothing), never an error: a caller is never dropped over a
malformed argument.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import ClassVar


@dataclass(frozen=True)
class Outbound:
    """A call pbx originated, answered (``appArgs`` of the originate; ``cc-ai,start``)."""

    kind: ClassVar[str] = "outbound"


@dataclass(frozen=True)
class Inbound:
    """A caller from the trunk (``from-trunk``): the DID they dialled picks the flow."""

    kind: ClassVar[str] = "inbound"
    did: str = ""


@dataclass(frozen=True)
class AmdVerdict:
    """Back from ``AMD()`` (``cc-ai,amd``): AMDSTATUS and AMDCAUSE."""

    kind: ClassVar[str] = "amd"
    status: str = ""
    cause: str = ""

    @property
    def verdict(self) -> str:
        # No status at all is NOTSURE: a person wrongly treated as a machine is a lost customer.
        return self.status.upper() or "NOTSURE"


@dataclass(frozen=True)
class QueueReturned:
    """Nobody in the queue answered within its maximum wait (``cc-queue``): QUEUESTATUS."""

    kind: ClassVar[str] = "queue-returned"
    queue: str = ""
    status: str = ""


@dataclass(frozen=True)
class Unrecognised:
    """Arguments no dialplan of ours writes (a channel sent into the app by someone else)."""

    args: tuple[str, ...] = ()


StasisArgs = Outbound | Inbound | AmdVerdict | QueueReturned
KINDS: dict[str, type[StasisArgs]] = {cls.kind: cls for cls in (Outbound, Inbound, AmdVerdict, QueueReturned)}


def parse_stasis_args(args: tuple[str, ...] | list[str]) -> StasisArgs | Unrecognised:
    if not args or args[0] not in KINDS:
        return Unrecognised(tuple(args))
    cls = KINDS[args[0]]
    values = list(args[1 : 1 + len(fields(cls))])
    values += [""] * (len(fields(cls)) - len(values))
    return cls(*values)


def stasis_args(value: StasisArgs) -> tuple[str, ...]:
    """The arguments that parse back to ``value`` (what an originate passes as ``appArgs``)."""
    return (value.kind, *astuple(value))
