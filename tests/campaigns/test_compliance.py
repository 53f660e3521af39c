"""Calling windows in the lead's local time, phone numbers, attempt limits and retries."""

from __future__ import annotations

import datetime as dt

import pytest

from contactcenter.campaigns import compliance as c

UTC = dt.UTC
RULES = c.AttemptRules(max_total=3, max_per_day=2, min_gap=dt.timedelta(minutes=30),
                       retry_after={"no_answer": dt.timedelta(hours=2), "callback": dt.timedelta(days=1)})  # fmt: skip
WEEKDAYS_9_TO_21 = c.parse_windows([{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "21:00"}])
INDIA = "+919800000001"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_phone_numbers_are_normalised_to_e164_or_refused_with_a_reason() -> None:
    assert c.normalise_phone("098000 00001", "IN") == INDIA
    assert c.normalise_phone("+91 98000-00001") == INDIA
    with pytest.raises(c.PhoneError, match="missing"):
        c.normalise_phone("  ")
    with pytest.raises(c.PhoneError, match="country code"):
        c.normalise_phone("9800000001")
    with pytest.raises(c.PhoneError):
        c.normalise_phone("+91123")
    assert c.is_valid_e164(INDIA) and not c.is_valid_e164("9800000001") and not c.is_valid_e164("+9112")


def test_time_zones_come_from_the_number() -> None:
    assert c.zones_for_number(INDIA) == ("Asia/Calcutta",)
    assert c.zones_for_number("+14155550100") == ("America/Los_Angeles",)


def test_window_is_in_the_leads_local_time() -> None:
    # 04:00 UTC on a Monday is 09:30 in India but 21:00 on Sunday in Los Angeles.
    monday = utc(2026, 3, 2, 4, 0)
    assert c.window_open(WEEKDAYS_9_TO_21, ["Asia/Kolkata"], monday)
    assert not c.window_open(WEEKDAYS_9_TO_21, ["America/Los_Angeles"], monday)
    # Several zones (an ambiguous number): open only when open in every one.
    assert not c.window_open(WEEKDAYS_9_TO_21, ["Asia/Kolkata", "America/Los_Angeles"], monday)
    opening = c.next_opening(WEEKDAYS_9_TO_21, ["America/Los_Angeles"], monday)
    assert opening == utc(2026, 3, 2, 17, 0)  # Monday 09:00 PST


def test_overnight_window_belongs_to_the_day_it_opens() -> None:
    [late] = c.parse_windows([{"days": ["fri"], "start": "22:00", "end": "02:00"}])
    assert late.contains(dt.datetime(2026, 3, 6, 23, 0))  # Friday 23:00
    assert late.contains(dt.datetime(2026, 3, 7, 1, 0))  # Saturday 01:00, still Friday's window
    assert not late.contains(dt.datetime(2026, 3, 7, 23, 0))
    assert not late.contains(dt.datetime(2026, 3, 6, 1, 0))  # Friday 01:00 is Thursday's


@pytest.mark.parametrize("data, where", [
    ([], "windows"), ([{"days": [7], "start": "09:00", "end": "10:00"}], "windows[0].days"),
    ([{"days": [1], "start": "9am", "end": "10:00"}], "windows[0].start"),
    ([{"days": [1], "start": "09:00", "end": "10:00", "tz": "x"}], "windows[0]"),
])  # fmt: skip
def test_bad_windows_name_the_field(data, where: str) -> None:
    with pytest.raises(ValueError) as raised:
        c.parse_windows(data)
    assert str(raised.value).startswith(where + ":") or str(raised.value).startswith(where + " ")


def test_retry_rules_refuse_final_outcomes() -> None:
    with pytest.raises(ValueError, match="retry.confirmed"):
        c.parse_retry_rules({"confirmed": 5})
    with pytest.raises(ValueError, match="retry.busy"):
        c.parse_retry_rules({"busy": -1})


def test_retry_rules_name_call_outcomes_only() -> None:
    with pytest.raises(ValueError, match="retry.lost: not a call outcome"):
        c.parse_retry_rules({"no_answer": 60, "lost": 60})
    assert c.parse_retry_rules(c.DEFAULT_RETRY_MINUTES) == {k: float(v) for k, v in c.DEFAULT_RETRY_MINUTES.items()}


def facts(**kw) -> c.LeadFacts:
    return c.LeadFacts(**{"phone": INDIA, "time_zones": ("Asia/Kolkata",), "on_dnc": False, **kw})


def test_may_dial_checks_in_order() -> None:
    now = utc(2026, 3, 2, 6, 0)  # Monday 11:30 IST
    assert c.may_dial(facts(), WEEKDAYS_9_TO_21, RULES, now).ok
    v = c.may_dial(facts(phone="+9112"), WEEKDAYS_9_TO_21, RULES, now)
    assert (v.refusal, v.final) == (c.Refusal.INVALID_NUMBER, True)
    v = c.may_dial(facts(on_dnc=True), WEEKDAYS_9_TO_21, RULES, now)
    assert (v.refusal, v.final) == (c.Refusal.DO_NOT_CALL, True)
    three = (now - dt.timedelta(days=3), now - dt.timedelta(days=2), now - dt.timedelta(days=1))
    assert c.may_dial(facts(attempt_times=three), WEEKDAYS_9_TO_21, RULES, now).refusal is c.Refusal.MAX_ATTEMPTS
    v = c.may_dial(facts(attempt_times=(now - dt.timedelta(minutes=10),)), WEEKDAYS_9_TO_21, RULES, now)
    assert (v.refusal, v.retry_at) == (c.Refusal.MIN_GAP, now + dt.timedelta(minutes=20))
    today = (now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))
    v = c.may_dial(facts(attempt_times=today), WEEKDAYS_9_TO_21, RULES, now)
    assert v.refusal is c.Refusal.MAX_PER_DAY and v.retry_at == utc(2026, 3, 3, 3, 30)  # Tuesday 09:00 IST
    v = c.may_dial(facts(), WEEKDAYS_9_TO_21, RULES, utc(2026, 3, 2, 17, 0))  # 22:30 IST
    assert v.refusal is c.Refusal.OUTSIDE_WINDOW and v.retry_at == utc(2026, 3, 3, 3, 30)
    v = c.may_dial(facts(next_attempt_at=now + dt.timedelta(hours=1)), WEEKDAYS_9_TO_21, RULES, now)
    assert v.refusal is c.Refusal.NOT_DUE


def test_after_attempt_retries_by_outcome_until_the_limit() -> None:
    now = utc(2026, 3, 2, 6, 0)
    assert c.after_attempt("no_answer", 1, RULES, now) == c.AfterAttempt(False, now + dt.timedelta(hours=2))
    assert c.after_attempt("callback", 2, RULES, now).next_attempt_at == now + dt.timedelta(days=1)
    assert c.after_attempt("no_answer", 3, RULES, now).final  # the last allowed attempt
    assert c.after_attempt("busy", 1, RULES, now).final  # no rule for busy here: final
    assert c.after_attempt("confirmed", 1, RULES, now).final
    assert c.after_attempt("opt_out", 1, RULES, now).final
