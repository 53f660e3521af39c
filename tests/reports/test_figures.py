"""Every figure on the fixed day (tests/reports/eventlog.py) against sums done by hand.

The window is 2026-03-02 UTC unless a test says otherwise; service level 20 s; short abandons
under 5 s. The hand sums are in the comments: each names the calls it takes its numbers from.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from contactcenter.reports import figures as f
from contactcenter.reports import timeline
from contactcenter.wallboard.board import PassageResult
from tests.reports.eventlog import DAY, NEXT_DAY, Call, at, fixed_log, fixed_states

UTC = ZoneInfo("UTC")
DAY1 = f.Window(DAY, NEXT_DAY)
DAY2 = f.Window(NEXT_DAY, NEXT_DAY + 86_400)
RULES = f.Rules(service_level_s=20, short_abandon_s=5)


@pytest.fixture(scope="module")
def records() -> list:
    return f.records_from(fixed_log())


@pytest.fixture(scope="module")
def spans() -> tuple:
    # Around the windows, not cut to them: a wrap-up after midnight still belongs to its call.
    return timeline.spans(timeline.build(fixed_states()), DAY, NEXT_DAY + 86_400)


def test_calls_and_outcomes(records) -> None:
    # Nine calls start on day 1 (the midnight call too: 23:58); two inbound (short, transfer);
    # all but not_reached were answered.
    assert f.calls(records, DAY1) == f.CallFigures(calls=9, inbound=2, outbound=7, answered=8, in_progress=0)
    # escalated: answered, transfer, overflow, midnight; abandoned: short, abandoned;
    # confirmed: bot, returned; no_answer: not_reached.
    assert f.outcomes(records, DAY1) == {"escalated": 4, "abandoned": 2, "confirmed": 2, "no_answer": 1}
    assert list(f.outcomes(records, DAY1)) == ["escalated", "abandoned", "confirmed", "no_answer"]


def test_a_call_spanning_midnight_counts_on_the_day_it_started(records) -> None:
    assert f.calls(records, DAY2).calls == 0
    # Its 259 s with agent1 (23:58:41 → 00:03:00) are day 1's handle time ...
    assert f.handling(records, (), DAY2).handled == 0
    # ... while agent1's own time is cut at midnight: day 2 has 180 s on the call, 40 s of wrap-up,
    # 380 s available (00:03:40 → 00:10:00), and agent2 offline all day.
    spans = timeline.spans(timeline.build(fixed_states()), DAY, NEXT_DAY + 86_400)
    day2 = f.occupancy(spans, DAY2)
    assert day2.by_state == {"available": 380, "offline": 85_800 + 86_400, "on_call": 180, "wrap_up": 40}
    assert day2.logged_in_s == 600 and day2.occupied_s == 220 and day2.agents == 1
    assert day2.rate == pytest.approx(220 / 600)


def test_containment(records) -> None:
    # AI calls answered and over: every call but not_reached (8). The bot finished two without a
    # human: bot, and returned (back from the queue after 60 s). short was escalated, then abandoned.
    assert f.containment(records, DAY1) == f.Containment(ai_calls=8, bot_completed=2, in_progress=0,
                                                         rate=0.25)  # fmt: skip


def test_escalations_reasons_and_latency(records) -> None:
    esc = f.escalations(records, DAY1)
    # short, answered, abandoned, transfer, returned, overflow, midnight; transfer's move from billing
    # to support and overflow's are not new escalations.
    assert esc.count == 7 and esc.calls == 7
    assert esc.by_reason == {"anger": 4, "ambiguity": 1, "dispute_fraud": 1, "human_request": 1}
    # Decision → queue join: short 23−20=3, answered 33−30=3, abandoned 41−36=5, transfer 21−18=3,
    # returned 21−19=2, overflow 11−9=2, midnight 31−25=6 → sorted 2 2 3 3 3 5 6, sum 24.
    assert esc.latency.count == 7 and esc.latency.total == 24
    assert esc.latency.mean == pytest.approx(24 / 7)
    assert esc.latency.p50 == 3  # nearest rank: ceil(0.5·7) = 4th
    assert esc.latency.p95 == 6  # ceil(0.95·7) = 7th
    assert esc.latency.max == 6


def test_escalations_per_hour_by_reason(records) -> None:
    hours = f.escalations_per_hour(records, DAY1)
    assert len(hours) == 24 and hours[9].hour_start == at(9, 0)
    # 09:xx: short (anger), answered (anger), abandoned (human_request), transfer (dispute_fraud),
    # returned (ambiguity); 10:xx overflow (anger); 23:xx midnight (anger).
    assert hours[9].by_reason == {"ambiguity": 1, "anger": 2, "dispute_fraud": 1, "human_request": 1}
    assert hours[10].by_reason == {"anger": 1} and hours[23].by_reason == {"anger": 1}
    assert sum(sum(h.by_reason.values()) for h in hours) == 7


def test_queue_passages_waits_abandons_and_service_level(records) -> None:
    q = f.queue_figures(records, DAY1, RULES)
    # Passages (wait): short support 3 (short abandon), answered support 12, abandoned support 30,
    # transfer billing 10 (agent2) and support 30 (agent1), returned support 60, overflow billing 30
    # (transferred) and support 6, midnight support 10: nine.
    assert (q.offered, q.answered, q.abandoned, q.short_abandons) == (9, 5, 1, 1)
    assert (q.returned_to_bot, q.transferred, q.left, q.waiting) == (1, 1, 0, 0)
    # Agent answer time: 12, 10, 30, 6, 10 → sum 68, ASA 13.6, nearest-rank p50 10, p95 30.
    assert q.answer_time == f.Spread(5, 68, 13.6, 10, 30, 30)
    # Waits of every ended passage but the short abandon: 12 30 10 30 60 30 6 10 → sum 188.
    assert q.wait == f.Spread(8, 188, 23.5, 12, 60, 60)
    # Abandon rate 1 / 8 (the short abandon is in neither); service level: 12, 10, 6, 10 within
    # 20 s of 8 → 0.5.
    assert q.abandon_rate == 0.125 and q.answered_within_sl == 4 and q.service_level == 0.5


def test_each_queue_its_own_service_level(records) -> None:
    # billing at 5 s: transfer's 10 s answer in billing no longer counts; support unchanged.
    rules = f.Rules(service_level_s=20, short_abandon_s=5, queue_service_level_s={"billing": 5})
    assert f.queue_figures(records, DAY1, rules).answered_within_sl == 3


def test_a_longer_short_abandon_threshold_moves_abandons(records) -> None:
    # Under 31 s, abandoned's 30 s wait is short too: no abandon left, 7 passages counted.
    q = f.queue_figures(records, DAY1, f.Rules(short_abandon_s=31))
    assert (q.abandoned, q.short_abandons, q.abandon_rate) == (0, 2, 0.0)
    assert q.service_level == pytest.approx(4 / 7)


def test_handle_time_talk_plus_wrap_up(records, spans) -> None:
    h = f.handling(records, spans, DAY1)
    # Legs: answered agent1 45→165 = 120; transfer agent2 31→91 = 60 (until the call joined
    # support), agent1 121→241 = 120; overflow agent1 47→107 = 60; midnight agent1 41→300 = 259.
    assert h.handled == 5 and h.agents == 2 and h.talk.total == 619
    # Wrap-up after each: 30, 10 (agent2), 20, 20, 40 (after midnight) = 120.
    assert h.wrap_up_s == 120
    assert h.aht_s == pytest.approx((619 + 120) / 5)  # 147.8


def test_occupancy_and_calls_per_agent(records, spans) -> None:
    o = f.occupancy(spans, DAY1)
    # agent1 logged in 09:00–12:00 and 23:50–24:00 = 11 400 s, on a call 120+120+60+79, wrapping up
    # 30+20+20 = 449 s; agent2 09:30–11:00 = 5 400 s (30 min of it paused), 60 + 10 = 70 s busy.
    assert o.logged_in_s == 16_800 and o.occupied_s == 519 and o.agents == 2
    assert o.by_state == {"available": 14_481, "offline": 42_600 + 46_800, "on_call": 439, "paused": 1_800,
                          "wrap_up": 80}  # fmt: skip
    assert o.rate == pytest.approx(519 / 16_800)
    s = f.summary(records, spans, DAY1, RULES)
    assert s.calls_per_agent == 2.5  # 5 legs / 2 agents


def test_grouped_by_queue(records, spans) -> None:
    rows = {r.key: r.summary for r in f.grouped(records, spans, DAY1, RULES, f.GroupBy.QUEUE, UTC)}
    assert set(rows) == {"billing", "support"}
    billing, support = rows["billing"], rows["support"]
    # billing: transfer (answered by agent2 in 10 s) and overflow (moved on after 30 s).
    assert billing.calls.calls == 2 and billing.queues.offered == 2 and billing.queues.transferred == 1
    assert billing.queues.service_level == 0.5 and billing.escalations.count == 2
    assert billing.handling.handled == 1 and billing.handling.aht_s == 70  # 60 talk + 10 wrap-up
    assert billing.occupancy is None  # agents' time belongs to no one queue
    # support: seven calls, seven passages; answered 12, 30, 6, 10 → 3 of 6 ended within 20 s.
    assert support.calls.calls == 7 and support.queues.offered == 7 and support.queues.answered == 4
    assert support.queues.service_level == 0.5 and support.queues.short_abandons == 1
    assert support.escalations.count == 5  # short, answered, abandoned, returned, midnight
    # agent1's four legs: 120 + 120 + 60 + 259 talk, 30 + 20 + 20 + 40 wrap-up.
    assert support.handling.aht_s == pytest.approx((559 + 110) / 4)


def test_grouped_by_agent(records, spans) -> None:
    rows = {r.key: r.summary for r in f.grouped(records, spans, DAY1, RULES, f.GroupBy.AGENT, UTC)}
    agent1, agent2 = rows["agent1"], rows["agent2"]
    assert agent1.handling.handled == 4 and agent1.calls_per_agent == 4
    assert agent1.occupancy is not None and agent1.occupancy.rate == pytest.approx(449 / 11_400)
    assert agent1.queues.answered == 4
    assert agent1.queues.answer_time.mean == pytest.approx((12 + 30 + 6 + 10) / 4)
    assert agent2.handling.aht_s == 70 and agent2.occupancy is not None
    assert agent2.occupancy.rate == pytest.approx(70 / 5_400)
    assert agent2.occupancy.by_state["paused"] == 1_800


def test_grouped_by_campaign(records, spans) -> None:
    rows = {r.key: r.summary for r in f.grouped(records, spans, DAY1, RULES, f.GroupBy.CAMPAIGN, UTC)}
    assert list(rows) == ["7", "8"]
    # 8: short and transfer, both escalated: nothing contained.
    assert rows["8"].calls.calls == 2 and rows["8"].containment.rate == 0.0
    # 7: bot, answered, abandoned, returned, overflow, not_reached, midnight; 6 AI calls, 2 contained.
    assert rows["7"].calls.calls == 7 and rows["7"].containment.rate == pytest.approx(2 / 6)
    assert rows["7"].handling.aht_s == pytest.approx((120 + 60 + 259 + 30 + 20 + 40) / 3)


def test_grouped_by_day_in_the_sites_time_zone(records, spans) -> None:
    utc = f.grouped(records, spans, f.Window(DAY, NEXT_DAY + 86_400), RULES, f.GroupBy.DAY, UTC)
    assert [(r.key, r.summary.calls.calls) for r in utc] == [("2026-03-02", 9), ("2026-03-03", 0)]
    assert utc[1].summary.occupancy is not None and utc[1].summary.occupancy.occupied_s == 220
    # In Kolkata (UTC+5:30) the midnight call starts at 05:28 on 3 March: a day of its own.
    kolkata = f.grouped(records, spans, DAY1, RULES, f.GroupBy.DAY, ZoneInfo("Asia/Kolkata"))
    assert [(r.key, r.summary.calls.calls) for r in kolkata] == [("2026-03-02", 8), ("2026-03-03", 1)]


def test_replayed_events_count_once(records) -> None:
    log = fixed_log()
    # The same events (same ids) again, as after a restart replays the stream or the ledger.
    twice = f.records_from([*log, *log[::-1][:10], *log])
    for figure in (f.calls, f.outcomes, f.containment, f.escalations):
        assert figure(twice, DAY1) == figure(records, DAY1)
    assert f.queue_figures(twice, DAY1, RULES) == f.queue_figures(records, DAY1, RULES)
    assert f.handling(twice, (), DAY1).talk == f.handling(records, (), DAY1).talk


def test_the_transfer_call_has_a_passage_in_each_queue(records) -> None:
    (call,) = [r for r in records if r.call_id == "transfer"]
    assert [(p.queue, p.result, p.agent, p.wait_s) for p in call.passages] == [
        ("billing", PassageResult.ANSWERED, "agent2", 10), ("support", PassageResult.ANSWERED, "agent1", 30)]
    assert [(g.agent, g.queue, g.talk_s) for g in call.agent_legs] == [
        ("agent2", "billing", 60), ("agent1", "support", 120)]


def test_a_caller_still_waiting_is_not_counted_yet() -> None:
    waiting = Call("w", at(9, 0)).started().answered(1).escalated(5, 6, "support", "anger")
    waiting.queued(7, "support")
    q = f.queue_figures(f.records_from(waiting.events), DAY1, RULES)
    assert (q.offered, q.waiting, q.service_level, q.abandon_rate) == (1, 1, None, None)


def test_an_answer_by_the_reserved_agent_without_a_queue_join() -> None:
    # Pre-alert: agent1 was held for the call and rung before Queue(): the wait runs from the hand-over.
    call = Call("pre", at(9, 0)).started().answered(1).escalated(5, 6, "support", "anger")
    call.agent(9, "agent1", "support")
    (record,) = f.records_from([*call.events, *call.events])
    assert [(p.queue, p.wait_s, p.result) for p in record.passages] == [
        ("support", 3, PassageResult.ANSWERED)]


def test_percentiles_are_nearest_rank() -> None:
    assert f.percentile([1, 2, 3, 4], 50) == 2 and f.percentile([1, 2, 3, 4], 95) == 4
    assert f.percentile([], 50) is None and f.percentile([7], 95) == 7
    with pytest.raises(ValueError):
        f.Window(2, 1)
