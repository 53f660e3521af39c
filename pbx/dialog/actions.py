"""What the dialog runtime asks the call engine to do, in the order given.

Plain frozen values: the engine executes them (TTS, timers, ledger, transfer, hang-up)
and the runtime never learns how. A turn's list is complete: e.g. ``[Say, Listen]``
while the dialog goes on, ``[SetOutcome, Say, Hangup]`` when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbx.api import CallOutcome, EscalationReason


@dataclass(frozen=True)
class Say:
    text: str
    step_id: str
    # False for closing prompts: they carry the outcome (e.g. an opt-out confirmation)
    # and must be heard in full.
    barge_in_allowed: bool = True


@dataclass(frozen=True)
class Listen:
    """Open the microphone; call ``on_no_input`` if nothing is said within ``timeout_s``."""

    timeout_s: float


@dataclass(frozen=True)
class CaptureSlot:
    name: str
    value: str


@dataclass(frozen=True)
class SetOutcome:
    outcome: CallOutcome
    detail: str | None = None


@dataclass(frozen=True)
class Escalate:
    """Hand the call to a human queue; the runtime says nothing more afterwards."""

    reason: EscalationReason
    detail: str | None = None


@dataclass(frozen=True)
class Hangup:
    outcome: CallOutcome


Action = Say | Listen | CaptureSlot | SetOutcome | Escalate | Hangup
