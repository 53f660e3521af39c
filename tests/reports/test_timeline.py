"""Agents' state changes → spans, cut to windows and at midnight."""

from __future__ import annotations

from contactcenter.reports import timeline as tl
from pbx.api import AgentStateChanged


def test_spans_run_to_the_next_change_and_are_cut_to_the_window() -> None:
    t = tl.build([tl.StateChange(100, "a", "available"), tl.StateChange(160, "a", "on_call"),
                  tl.StateChange(40, "a", "offline")])  # fmt: skip (in any order)
    assert tl.spans(t, 50, 200) == (tl.StateSpan("a", "offline", 50, 100),
                                    tl.StateSpan("a", "available", 100, 160),
                                    tl.StateSpan("a", "on_call", 160, 200))  # fmt: skip
    assert tl.seconds_by_state(tl.spans(t, 0, 1000)) == {
        "a": {"offline": 60, "available": 60, "on_call": 840}}


def test_the_same_change_twice_counts_once_and_repeats_merge() -> None:
    t = tl.AgentTimeline()
    assert tl.apply_change(t, tl.StateChange(0, "a", "available")) is True
    assert tl.apply_change(t, tl.StateChange(0, "a", "available")) is False
    tl.apply_change(t, tl.StateChange(10, "a", "available"))  # told again by another source
    assert tl.spans(t, 0, 20) == (tl.StateSpan("a", "available", 0, 20),)


def test_a_phone_does_not_end_a_pause_or_a_wrap_up() -> None:
    def phone(at: float, state: str) -> tl.StateChange:
        return tl.change_from_event(AgentStateChanged(at=at, agent="a", state=state))

    t = tl.build([tl.StateChange(0, "a", "paused", "Lunch")])
    assert tl.apply_change(t, phone(5, "available")) is False
    tl.apply_change(t, tl.StateChange(10, "a", "wrap_up"))
    assert tl.apply_change(t, phone(12, "available")) is False
    assert tl.apply_change(t, phone(14, "ringing")) is True
    assert [s.state for s in tl.spans(t, 0, 20)] == ["paused", "wrap_up", "ringing"]
    assert tl.spans(t, 0, 20)[0].reason == "Lunch"


def test_split_at_midnight() -> None:
    spans = (tl.StateSpan("a", "on_call", 90, 130), tl.StateSpan("a", "available", 130, 150))
    assert tl.split(spans, [100, 200]) == (tl.StateSpan("a", "on_call", 90, 100),
                                           tl.StateSpan("a", "on_call", 100, 130),
                                           tl.StateSpan("a", "available", 130, 150))  # fmt: skip
