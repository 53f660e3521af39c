"""Pre-alert on the wallboard: calls at risk (pbx's count and the ones followed), which agent is
held for which call, reserved agents per queue, and at-risk calls no agent could be held for."""

from __future__ import annotations

from contactcenter.wallboard.board import AgentFact, Board, Section, apply_agents, apply_event, apply_live_counts
from contactcenter.wallboard.sections import render
from pbx.api import AgentReserved, AgentStateChanged, CallAnswered, CallAtRisk, CallStarted, ReservationEnded
from tests.wallboard.test_board import DAY, T0, fold


def ai_call(call_id: str, t: float) -> list:
    return [CallStarted(call_id=call_id, at=t, direction="outbound"), CallAnswered(call_id=call_id, at=t + 2)]


def test_calls_at_risk_and_the_agents_held_for_them() -> None:
    board = Board(day_start=DAY)
    apply_agents(board, [AgentFact("ann", "available", T0 - 60, queues=("billing",)),
                         AgentFact("bob", "available", T0 - 60, queues=("billing",))])  # fmt: skip
    fold(board, *ai_call("c1", T0), *ai_call("c2", T0 + 1), *ai_call("c3", T0 + 2))
    changed = fold(board, CallAtRisk(call_id="c1", at=T0 + 10, queue="billing", score=0.4, reason="anger"),
                   CallAtRisk(call_id="c2", at=T0 + 11, queue="billing", score=0.38, reason="dispute_fraud"))
    assert changed == {Section.LIVE}
    changed = fold(board, AgentReserved(call_id="c1", at=T0 + 10.2, agent="ann", queue="billing", until=T0 + 70),
                   AgentStateChanged(call_id="c1", at=T0 + 10.2, agent="ann", state="reserved", queue="billing"))
    assert {Section.LIVE, Section.AGENTS, Section.QUEUES} <= changed

    out = render(board, now=T0 + 12)
    live = out["live"]
    assert live["at_risk"] == 2 and live["at_risk_unreserved"] == 1  # c2: nobody free was held for it
    calls = {c["call_id"]: c for c in live["calls"]}
    assert (calls["c1"]["at_risk"], calls["c1"]["reserved_agent"], calls["c1"]["risk"]) == (True, "ann", 0.4)
    assert (calls["c3"]["at_risk"], calls["c3"]["reserved_agent"]) == (False, "")
    agents = {a["name"]: a for a in out["agents"]}
    assert (agents["ann"]["state"], agents["ann"]["reserved_for"]) == ("reserved", "c1")
    assert agents["bob"]["reserved_for"] is None
    (billing,) = out["queues"]
    assert billing["agents"]["reserved"] == 1 and billing["agents"]["available"] == 1

    # The risk falls back; pbx ends the hold and the agent is free again.
    fold(board, CallAtRisk(call_id="c1", at=T0 + 20, queue="billing", active=False, score=0.2),
         ReservationEnded(call_id="c1", at=T0 + 20.1, agent="ann", why="risk_fell"),
         AgentStateChanged(call_id="c1", at=T0 + 20.1, agent="ann", state="available", queue="billing"))
    out = render(board, now=T0 + 21)
    assert out["live"]["at_risk"] == 1 and out["live"]["at_risk_unreserved"] == 1
    assert {c["call_id"]: c["reserved_agent"] for c in out["live"]["calls"]}["c1"] == ""
    assert {a["name"]: a["reserved_for"] for a in out["agents"]}["ann"] is None


def test_pbx_counts_calls_at_risk_when_it_reports() -> None:
    board = Board(day_start=DAY)
    data = {b"dialing": b"0", b"screening": b"0", b"leaving_message": b"0", b"with_bot": b"9", b"escalating": b"0",
            b"queued": b"0", b"with_agent": b"0", b"ai_calls_at_risk": b"3", b"updated_at": str(T0).encode()}  # fmt: skip
    apply_live_counts(board, data, now=T0 + 1)
    live = render(board, now=T0 + 1)["live"]
    assert live["at_risk"] == 3 and live["pbx"]["ai_calls_at_risk"] == 3


def test_a_replayed_reservation_counts_once() -> None:
    board = Board(day_start=DAY)
    events = [*ai_call("c1", T0), CallAtRisk(call_id="c1", at=T0 + 5, queue="q", score=0.4),
              AgentReserved(call_id="c1", at=T0 + 5.1, agent="ann", queue="q", until=T0 + 65)]  # fmt: skip
    fold(board, *events)
    first = render(board, now=T0 + 6)
    for event in events:
        apply_event(board, event)
    assert render(board, now=T0 + 6) == first
