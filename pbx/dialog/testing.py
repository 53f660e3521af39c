"""Drive a :class:`DialogSession` with a scripted call, for tests of flows and engines.

    actions = play(session, "no", Reply("change it", confidence=0.4), Silence(), Press("1"))

A plain string is a confident final utterance. ``play`` starts the session, feeds every
event in order and returns each turn's actions, so a test can assert on the whole
conversation or on one reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbx.dialog.actions import Action, Hangup, Say, SetOutcome
from pbx.dialog.runtime import DialogSession


@dataclass(frozen=True)
class Reply:
    text: str
    confidence: float = 0.9
    is_final: bool = True


@dataclass(frozen=True)
class Press:
    digit: str


@dataclass(frozen=True)
class Silence:
    """The engine's listen timer expired."""


@dataclass(frozen=True)
class BargeIn:
    """The customer started talking over a prompt."""


Event = str | Reply | Press | Silence | BargeIn


def feed(session: DialogSession, event: Event) -> list[Action]:
    match event:
        case str():
            return session.on_utterance(event, 0.9)
        case Reply(text, confidence, is_final):
            return session.on_utterance(text, confidence, is_final)
        case Press(digit):
            return session.on_dtmf(digit)
        case Silence():
            return session.on_no_input()
        case BargeIn():
            return session.on_barge_in()
    raise TypeError(f"not a dialog event: {event!r}")


@dataclass(frozen=True)
class Transcript:
    turns: tuple[tuple[Action, ...], ...]  # turns[0] answers start(), turns[i] the i-th event

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(a for turn in self.turns for a in turn)

    @property
    def said(self) -> tuple[str, ...]:
        return tuple(a.text for a in self.actions if isinstance(a, Say))

    @property
    def last(self) -> tuple[Action, ...]:
        return self.turns[-1]

    def outcome(self) -> SetOutcome | None:
        found = [a for a in self.actions if isinstance(a, SetOutcome)]
        return found[-1] if found else None

    def hung_up(self) -> bool:
        return any(isinstance(a, Hangup) for a in self.actions)


def play(session: DialogSession, *events: Event) -> Transcript:
    turns = [tuple(session.start())]
    turns += [tuple(feed(session, event)) for event in events]
    return Transcript(tuple(turns))
