"""Who may be called, and when: pure rules, no database, no clock of their own.

- Phone numbers are E.164, validated with ``phonenumbers``; a lead's time zones come from
  the import (a ``time_zone`` column) or from the number's region. A number whose region
  spans several zones (a North American toll-free number) keeps them all, and a calling
  window must be open in **every** one of them: never call someone at 7 a.m. because their
  neighbour's zone says 9.
- Calling windows are in the lead's local time: days of the week plus a start and end time;
  a window whose end is not after its start runs past midnight (``22:00-02:00``).
- Attempts: at most ``max_total`` in all and ``max_per_day`` per local day, at least
  ``min_gap`` apart, and a retry delay per outcome; an outcome without a delay is final.

``may_dial`` is asked twice: when the dialer picks a lead and again, inside the transaction
that records the attempt, with a fresh do-not-call look-up (so a number added a second ago is
never called).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import shortnumberinfo
from phonenumbers import timezone as phone_timezones

from pbx.api import CallOutcome

UTC = dt.UTC

# ------------------------------------------------------------------ phone numbers


class PhoneError(ValueError):
    """The reason a phone number is not callable, in words for the import report."""


def normalise_phone(raw: str, default_region: str | None = None) -> str:
    """``raw`` (as typed in a spreadsheet) → E.164, or PhoneError saying why not."""
    text = str(raw or "").strip()
    if not text:
        raise PhoneError("phone number is missing")
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else (default_region or None))
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"not a phone number ({_parse_error(exc)})") from None
    if not phonenumbers.is_possible_number(number):
        if shortnumberinfo.is_valid_short_number(number):
            # Emergency and service numbers, SMS short codes: never an E.164 subscriber, never dialled.
            raise PhoneError(f"a short code ({number.national_number}), not a subscriber number; campaigns "
                             "dial full E.164 numbers only")  # fmt: skip
        raise PhoneError("wrong number of digits for its country")
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_error(exc: phonenumbers.NumberParseException) -> str:
    return {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "no country code; write it as +<country><number>",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "no digits",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }.get(exc.error_type, str(exc))


def is_valid_e164(phone: str) -> bool:
    try:
        return normalise_phone(phone) == phone
    except PhoneError:
        return False


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def zones_for_number(phone: str) -> tuple[str, ...]:
    """IANA zones of an E.164 number's region (may be several; empty if unknown)."""
    zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone))
    return tuple(z for z in zones if z != phone_timezones.UNKNOWN_TIMEZONE)


# ------------------------------------------------------------------ calling windows


@dataclass(frozen=True)
class CallingWindow:
    """Open on ``days`` (0 = Monday) from ``start`` to ``end``, local time."""

    days: frozenset[int]
    start: dt.time
    end: dt.time

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def contains(self, local: dt.datetime) -> bool:
        t = local.time().replace(tzinfo=None)
        if not self.overnight:
            return local.weekday() in self.days and self.start <= t < self.end
        # Past midnight the window still belongs to the day it opened on.
        if t >= self.start:
            return local.weekday() in self.days
        return t < self.end and (local.weekday() - 1) % 7 in self.days

    def openings(self, zone: ZoneInfo, after: dt.datetime, days: int = 8) -> Iterable[dt.datetime]:
        """The window's opening instants (UTC) in the ``days`` after ``after``."""
        local_day = after.astimezone(zone).date() - dt.timedelta(days=1)
        for i in range(days + 1):
            day = local_day + dt.timedelta(days=i)
            if day.weekday() in self.days:
                yield dt.datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)

    def to_data(self) -> dict[str, Any]:
        return {"days": sorted(self.days), "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}


MAX_WINDOWS = 50
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WINDOWS: list[dict[str, Any]] = [{"days": [0, 1, 2, 3, 4, 5], "start": "09:00", "end": "21:00"}]


def parse_windows(data: Any) -> tuple[CallingWindow, ...]:
    """Windows from their JSON form; ValueError naming ``windows[i].field`` on a mistake."""
    if not isinstance(data, list) or not data:
        raise ValueError("windows: give a non-empty list of {days, start, end}")
    if len(data) > MAX_WINDOWS:
        raise ValueError(f"windows: {len(data)} windows; at most {MAX_WINDOWS}")
    windows = []
    for i, item in enumerate(data):
        where = f"windows[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"days", "start", "end"}:
            raise ValueError(f"{where}: give exactly days, start and end")
        days = item.get("days", list(range(7)))
        if not isinstance(days, list) or not days:
            raise ValueError(f"{where}.days: a non-empty list of 0-6 (0 = Monday) or mon..sun")
        parsed_days = set()
        for d in days:
            if isinstance(d, str) and d.lower()[:3] in DAY_NAMES:
                parsed_days.add(DAY_NAMES.index(d.lower()[:3]))
            elif isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6:
                parsed_days.add(d)
            else:
                raise ValueError(f"{where}.days: {d!r} is not a day (0-6 or mon..sun)")
        times = []
        for name in ("start", "end"):
            try:
                times.append(dt.time.fromisoformat(str(item.get(name, ""))))
            except ValueError:
                raise ValueError(f"{where}.{name}: {item.get(name)!r} is not a time like 09:00") from None
        if times[0] == times[1]:
            raise ValueError(f"{where}: start and end are equal")
        windows.append(CallingWindow(frozenset(parsed_days), times[0], times[1]))
    return tuple(windows)


def _zones(names: Sequence[str]) -> list[ZoneInfo]:
    return [ZoneInfo(n) for n in names] or [ZoneInfo("UTC")]


def window_open(windows: Sequence[CallingWindow], zones: Sequence[str], now: dt.datetime) -> bool:
    """Open now in every one of the lead's zones."""
    return all(any(w.contains(now.astimezone(z)) for w in windows) for z in _zones(zones))


def next_opening(windows: Sequence[CallingWindow], zones: Sequence[str], now: dt.datetime) -> dt.datetime | None:
    """The first instant after ``now`` at which a window is open in every zone (None within 8 days)."""
    if window_open(windows, zones, now):
        return now
    candidates = sorted({t for z in _zones(zones) for w in windows for t in w.openings(z, now) if t > now})
    return next((t for t in candidates if window_open(windows, zones, t)), None)


# ------------------------------------------------------------------ attempts and retries

# Outcomes after which nobody calls the lead again (unless a human disposition says so).
FINAL_OUTCOMES: frozenset[CallOutcome] = frozenset({
    CallOutcome.CONFIRMED, CallOutcome.REJECTED, CallOutcome.CHANGED, CallOutcome.VERIFIED,
    CallOutcome.PROMISE_TO_PAY, CallOutcome.ALREADY_PAID, CallOutcome.WRONG_NUMBER, CallOutcome.OPT_OUT,
    CallOutcome.DO_NOT_CALL, CallOutcome.ESCALATED, CallOutcome.INVALID_NUMBER,
    # Reached, then cut by the platform (Asterisk restarted): calling back by robot mid-thought
    # would be worse than a person following up, so the lead is finished, never re-dialled.
    CallOutcome.DROPPED,
})  # fmt: skip

DEFAULT_RETRY_MINUTES: dict[str, int] = {
    CallOutcome.NO_ANSWER: 120, CallOutcome.BUSY: 30, CallOutcome.FAILED: 60, CallOutcome.VOICEMAIL: 240,
    CallOutcome.CALLBACK: 24 * 60, CallOutcome.NO_RESPONSE: 120, CallOutcome.HUNG_UP: 120,
    CallOutcome.ABANDONED: 60, CallOutcome.REJECTED_BY_NETWORK: 240,
}  # fmt: skip


@dataclass(frozen=True)
class AttemptRules:
    max_total: int = 3
    max_per_day: int = 2
    min_gap: dt.timedelta = dt.timedelta(minutes=30)
    # outcome -> delay before the next attempt; an outcome not listed ends the lead
    retry_after: Mapping[str, dt.timedelta] = field(
        default_factory=lambda: {k: dt.timedelta(minutes=v) for k, v in DEFAULT_RETRY_MINUTES.items()}
    )

    @classmethod
    def from_data(cls, max_total: int, max_per_day: int, min_gap_minutes: int, retry_minutes: Mapping[str, Any]) -> AttemptRules:
        return cls(max_total, max_per_day, dt.timedelta(minutes=min_gap_minutes),
                   {k: dt.timedelta(minutes=float(v)) for k, v in parse_retry_rules(retry_minutes).items()})  # fmt: skip


_CALL_OUTCOMES = frozenset(CallOutcome)


MAX_RETRY_MINUTES = 365 * 24 * 60


def parse_retry_rules(data: Any) -> dict[str, float]:
    """``{"no_answer": 120, ...}`` (minutes); ValueError naming ``retry.<outcome>``."""
    if not isinstance(data, Mapping):
        raise ValueError("retry: give an object of outcome: minutes")
    rules = {}
    for outcome, minutes in data.items():
        if outcome not in _CALL_OUTCOMES:
            raise ValueError(f"retry.{outcome}: not a call outcome; outcomes are {', '.join(CallOutcome)}")
        if outcome in FINAL_OUTCOMES:
            raise ValueError(f"retry.{outcome}: {outcome} is final and is never retried")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 0 <= minutes <= MAX_RETRY_MINUTES:
            raise ValueError(f"retry.{outcome}: give minutes as a number from 0 to {MAX_RETRY_MINUTES} (a year)")
        rules[str(outcome)] = float(minutes)
    return rules


class Refusal(StrEnum):
    INVALID_NUMBER = "invalid_number"
    DO_NOT_CALL = "do_not_call"
    MAX_ATTEMPTS = "max_attempts"
    NOT_DUE = "not_due"
    MIN_GAP = "min_gap"
    MAX_PER_DAY = "max_per_day"
    OUTSIDE_WINDOW = "outside_window"
    # The number matches none of the destination patterns of the campaign's trunk.
    NOT_ON_TRUNK = "not_on_trunk"


# A refusal that will never change: the lead is finished without being called (again).
FINAL_REFUSALS = frozenset({Refusal.INVALID_NUMBER, Refusal.DO_NOT_CALL, Refusal.MAX_ATTEMPTS, Refusal.NOT_ON_TRUNK})


@dataclass(frozen=True)
class LeadFacts:
    phone: str
    time_zones: tuple[str, ...]
    on_dnc: bool
    attempt_times: tuple[dt.datetime, ...] = ()  # when earlier attempts were made
    next_attempt_at: dt.datetime | None = None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    refusal: Refusal | None = None
    retry_at: dt.datetime | None = None  # when asking again may give another answer

    @property
    def final(self) -> bool:
        return self.refusal in FINAL_REFUSALS


def may_dial(lead: LeadFacts, windows: Sequence[CallingWindow], rules: AttemptRules, now: dt.datetime) -> Verdict:
    if not is_valid_e164(lead.phone):
        return Verdict(False, Refusal.INVALID_NUMBER)
    if lead.on_dnc:
        return Verdict(False, Refusal.DO_NOT_CALL)
    if len(lead.attempt_times) >= rules.max_total:
        return Verdict(False, Refusal.MAX_ATTEMPTS)
    if lead.next_attempt_at is not None and lead.next_attempt_at > now:
        return Verdict(False, Refusal.NOT_DUE, lead.next_attempt_at)
    last = max(lead.attempt_times, default=None)
    if last is not None and now - last < rules.min_gap:
        return Verdict(False, Refusal.MIN_GAP, last + rules.min_gap)
    zone = _zones(lead.time_zones)[0]
    today = now.astimezone(zone).date()
    if sum(1 for t in lead.attempt_times if t.astimezone(zone).date() == today) >= rules.max_per_day:
        tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(UTC)
        return Verdict(False, Refusal.MAX_PER_DAY, next_opening(windows, lead.time_zones, tomorrow) or tomorrow)
    if not window_open(windows, lead.time_zones, now):
        return Verdict(False, Refusal.OUTSIDE_WINDOW, next_opening(windows, lead.time_zones, now))
    return Verdict(True)


@dataclass(frozen=True)
class AfterAttempt:
    final: bool
    next_attempt_at: dt.datetime | None = None


def after_attempt(outcome: str, attempts_made: int, rules: AttemptRules, now: dt.datetime) -> AfterAttempt:
    """What an attempt's outcome means for the lead: finished, or retried from when."""
    delay = rules.retry_after.get(outcome)
    if outcome in FINAL_OUTCOMES or delay is None or attempts_made >= rules.max_total:
        return AfterAttempt(final=True)
    return AfterAttempt(final=False, next_attempt_at=now + max(delay, rules.min_gap))
