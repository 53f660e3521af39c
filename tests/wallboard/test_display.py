"""What colours the figures (thresholds), what the charts draw (the last hour's samples), and
the sections built on them: longest waiting caller, abandoned callers, agents' day."""

from __future__ import annotations

import pytest

from contactcenter.wallboard.board import AgentFact, Board, Section, apply_agents, apply_live_counts
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.feeder import Feeder
from contactcenter.wallboard.history import History
from contactcenter.wallboard.sections import Display, also_changed, gauges, render
from contactcenter.wallboard.thresholds import Band, Thresholds
from pbx.api import (
    AgentConnected,
    AgentStateChanged,
    CallEnded,
    CallQueued,
    QueueAbandoned,
    ReturnedToBot,
    to_fields,
)
from tests.wallboard.test_board import DAY, T0, answered_by, escalated_call, fold

# ------------------------------------------------------------------ thresholds


def test_a_band_colours_past_its_limits_in_the_figures_own_direction() -> None:
    wait = Band(warn=10, bad=20)
    assert [wait.level(v) for v in (0, 10, 10.1, 20, 20.1, None)] == ["ok", "ok", "warn", "warn", "bad", None]
    service = Band(warn=0.8, bad=0.6, lower_is_worse=True)
    assert [service.level(v) for v in (1.0, 0.8, 0.79, 0.6, 0.59)] == ["ok", "ok", "warn", "warn", "bad"]


def test_the_default_bands_follow_the_service_level_target() -> None:
    thresholds = Thresholds.build(20.0)
    assert thresholds.levels({"service_level": 0.75, "abandon_rate": 0.06, "longest_wait_s": 12.0, "asa_s": None,
                              "aht_s": 900.0}) == {"service_level": "warn", "abandon_rate": "bad",
                                                   "longest_wait_s": "warn"}  # fmt: skip
    assert Thresholds.build(60.0).level("longest_wait_s", 45.0) == "warn"
    assert Thresholds.build(20.0, {"aht_s": {"warn": 300, "bad": 480}}).level("aht_s", 900.0) == "bad"
    with pytest.raises(ValueError, match="lower is worse, so 'bad' \\(0.9\\) must be at or below 'warn' \\(0.8\\)"):
        Thresholds.build(20.0, {"service_level": {"warn": 0.8, "bad": 0.9}})


# ------------------------------------------------------------------ history


def test_one_sample_per_step_for_the_last_hour() -> None:
    history = History(step_s=15.0, window_s=3600.0)
    assert history.add(T0 + 1, {"waiting": 1}) and not history.add(T0 + 14, {"waiting": 9})  # the step's first
    assert history.add(T0 + 16, {"waiting": 2})
    assert history.add(T0 + 61, {"waiting": 4})  # two steps nobody saw in between
    series = history.to_json(T0 + 61, ["waiting"], {"escalations": [T0 + 2, T0 + 3, T0 + 50, T0 - 4000]})
    assert len(series["t"]) == 240 and series["t"][-1] == T0 + 60 and series["t"][-4] == T0 + 15
    assert series["waiting"][-5:] == [1, 2, None, None, 4]
    # Steps T0, +15, +30, +45, +60: two at T0+2 and +3, one at T0+50; the one before the hour is out.
    assert series["escalations"][-5:] == [2, 0, 0, 1, 0] and sum(series["escalations"]) == 3
    history.add(T0 + 3600, {"waiting": 5})
    assert [s.at for s in history.samples] == [T0 + 15, T0 + 60, T0 + 3600]  # T0's point left the window


def test_the_feeder_draws_the_last_hour_again_when_it_replays_the_day() -> None:
    feeder = Feeder(FeederConfig(redis_url="redis://127.0.0.1:1/0"), layer=None, clock=lambda: T0 + 4000)
    feeder.board = Board(day_start=DAY)
    apply_live_counts(feeder.board, {b"dialing": b"0", b"screening": b"0", b"leaving_message": b"0",
                                     b"with_bot": b"7", b"escalating": b"0", b"queued": b"0", b"with_agent": b"0",
                                     b"ai_calls": b"7", b"updated_at": str(T0 + 4000).encode()}, T0 + 4000)  # fmt: skip
    feeder._replaying_since = T0 + 4000 - 3600
    events = [*escalated_call("early", T0), *escalated_call("late", T0 + 3000)]
    for i, event in enumerate(events):
        feeder._fold(f"1-{i}", to_fields(event))
    # Events older than the hour drew nothing; the late call's steps did, from the calls followed
    # (pbx's 7 AI calls are of now, not of then). The first point is the state before its event.
    # The late call's events (09:50:00 → 09:50:13.4) all fall in one step; "early" was still waiting then.
    steps = {s.at: dict(s.values) for s in feeder.history.samples}
    assert steps == {T0 + 3000: {"service_level": None, "waiting": 1, "ai_calls": 0}}
    feeder._replaying_since = None
    assert feeder._sample(T0 + 4000) == {Section.CHARTS, Section.TODAY, Section.AGENTS}
    assert feeder.history.samples[-1].values == {"service_level": None, "waiting": 2, "ai_calls": 7}
    assert feeder._sample(T0 + 4001) == frozenset()  # the step of 10:06:30 has its point
    # The next step, same minute: the agents' figures wait for the minute's first step.
    assert feeder._sample(T0 + 4005) == {Section.CHARTS, Section.TODAY}
    assert feeder._sample(T0 + 4020) == {Section.CHARTS, Section.TODAY, Section.AGENTS}


class _Layer:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def group_send(self, group: str, message: dict) -> None:
        self.sent.append(message["message"])


class _Redis:
    async def set(self, *args, **kwargs) -> None:
        pass


async def test_a_patch_carries_only_the_sections_whose_content_changed() -> None:
    layer = _Layer()
    feeder = Feeder(FeederConfig(redis_url="redis://127.0.0.1:1/0"), layer=layer, clock=lambda: T0 + 100)
    feeder.board = Board(day_start=DAY)
    fold(feeder.board, *escalated_call("c1", T0))
    await feeder._publish(_Redis(), "snapshot", set(Section))  # type: ignore[arg-type]
    await feeder._publish(_Redis(), "patch", {Section.AGENTS, Section.ABANDONED, Section.QUEUES})  # type: ignore[arg-type]
    fold(feeder.board, QueueAbandoned(call_id="c1", at=T0 + 90, queue="support"))
    await feeder._publish(_Redis(), "patch", {Section.AGENTS, Section.ABANDONED})  # type: ignore[arg-type]
    assert [(m["type"], sorted(m["sections"])) for m in layer.sent] == [
        ("snapshot", sorted(s.value for s in Section)), ("patch", []), ("patch", ["abandoned"])]


# ------------------------------------------------------------------ sections


def test_queues_name_their_longest_waiting_caller_and_colour_the_wait() -> None:
    board = Board(day_start=DAY)
    fold(board, *escalated_call("c1", T0, reason="legal_threat"), *escalated_call("c2", T0 + 5))
    (support,) = render(board, now=T0 + 30)["queues"]
    assert support["oldest"] == {"key": "c1", "call_id": "c1", "since": T0 + 13.4, "reason": "legal_threat",
                                 "campaign_id": 7}  # fmt: skip
    assert support["levels"] == {"waiting": "ok", "longest_wait_s": "warn"}  # 16.6 s: past half the 20 s target
    assert render(board, now=T0 + 40)["queues"][0]["levels"]["longest_wait_s"] == "bad"


def test_the_abandoned_list_holds_callers_who_hung_up_waiting_newest_first() -> None:
    board = Board(day_start=DAY)
    fold(board, *escalated_call("gave_up", T0), QueueAbandoned(call_id="gave_up", at=T0 + 40, queue="support"),
         CallEnded(call_id="gave_up", at=T0 + 40.5, outcome="abandoned"),
         *escalated_call("timed_out", T0 + 100), ReturnedToBot(call_id="timed_out", at=T0 + 200, queue="support"),
         CallQueued(at=T0 + 300, queue="sales", channel="PJSIP/trunk-0007", reason="pbx_down"),
         QueueAbandoned(at=T0 + 302, queue="sales", channel="PJSIP/trunk-0007"),
         *escalated_call("served", T0 + 400), *answered_by("served", "agent1", T0 + 420))  # fmt: skip
    rows = render(board, now=T0 + 500)["abandoned"]
    assert [(r["key"], r["queue"], r["reason"], r["wait_s"]) for r in rows] == [
        ("channel:PJSIP/trunk-0007", "sales", "pbx_down", 2.0), ("gave_up", "support", "anger", 26.6)]
    assert rows[1]["call_id"] == "gave_up" and rows[0]["call_id"] is None
    assert also_changed({Section.ESCALATIONS}) == {Section.ESCALATIONS, Section.ABANDONED, Section.AGENTS}


def test_agents_show_their_calls_handle_time_and_occupancy_today() -> None:
    board = Board(day_start=DAY)
    apply_agents(board, [AgentFact("agent1", "available", T0, queues=("support",))])
    fold(board, *escalated_call("c1", T0 + 100), *answered_by("c1", "agent1", T0 + 120),
         AgentStateChanged(call_id="c1", at=T0 + 180, agent="agent1", state="wrap_up", queue="support"),
         CallEnded(call_id="c1", at=T0 + 180, outcome="escalated"))  # fmt: skip
    display = Display(Thresholds.build(20.0))
    # No feeder timeline: the board's current states only (wrapping up since 09:03:00).
    (agent,) = render(board, now=T0 + 200, sections=[Section.AGENTS], display=display)["agents"]
    # Talk 09:02:00 → 09:03:00 (60 s) + wrap-up so far 09:03:00 → 09:03:20 (20 s), one call: 80 s;
    # logged in since 09:03:00 as far as this board knows, all of it wrapping up: occupied.
    assert (agent["calls_today"], agent["aht_s"], agent["occupancy"]) == (1, 80.0, 1.0)
    today = render(board, now=T0 + 200, sections=[Section.TODAY], display=display)["today"]
    assert today["handled"] == 1 and today["aht_s"] == 80.0 and today["asa_s"] == 6.6  # joined 09:01:53.4
    assert today["levels"]["service_level"] == "ok" and today["thresholds"]["service_level"]["warn"] == 0.8


def test_the_charts_gauges_are_todays_service_level_waiting_callers_and_ai_calls() -> None:
    board = Board(day_start=DAY)
    fold(board, *escalated_call("c1", T0), AgentConnected(call_id="c1", at=T0 + 20, agent="agent1", queue="support"),
         *escalated_call("c2", T0 + 30))  # fmt: skip
    assert gauges(board, T0 + 60) == {"service_level": 1.0, "waiting": 1, "ai_calls": 0}
    history = History()
    history.add(T0 + 60, gauges(board, T0 + 60))
    charts = render(board, now=T0 + 60, sections=[Section.CHARTS], display=Display(history=history))["charts"]
    assert set(charts) == {"step_s", "window_s", "t", "service_level", "waiting", "ai_calls", "escalations"}
    assert charts["service_level"][-1] == 1.0 and charts["waiting"][-1] == 1 and sum(charts["escalations"]) == 2


async def test_a_new_day_keeps_only_the_state_each_agent_opens_it_with() -> None:
    from contactcenter.reports.timeline import StateChange, apply_change

    feeder = Feeder(FeederConfig(redis_url="redis://127.0.0.1:1/0"), layer=None)
    feeder.board = Board(day_start=DAY)
    for at, state in ((T0, "available"), (T0 + 60, "on_call"), (T0 + 120, "wrap_up")):
        apply_change(feeder.agent_timeline, StateChange(at, "agent1", state))
    apply_change(feeder.agent_timeline, StateChange(DAY + 86_400 + 30, "agent1", "available"))
    feeder._last_live = feeder._last_db = DAY + 86_410  # no Redis or database reads in this step
    assert Section.TODAY in await feeder._refresh(None, DAY + 86_410)  # type: ignore[arg-type]
    assert [(c.at, c.state) for c in feeder.agent_timeline.changes["agent1"]] == [
        (T0 + 120, "wrap_up"), (DAY + 86_400 + 30, "available")]
