"""The board reducer: pbx events and database facts in, the sections a manager sees out."""

from __future__ import annotations

from contactcenter.wallboard.board import (
    AgentFact,
    Board,
    CampaignFact,
    Section,
    apply_agents,
    apply_campaigns,
    apply_event,
    apply_live_counts,
    apply_queues,
    roll_day,
)
from contactcenter.wallboard.sections import render
from pbx.api import (
    AgentConnected,
    AgentStateChanged,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    CommandRejected,
    DecisionMade,
    QueueAbandoned,
    ReturnedToBot,
    UtteranceHeard,
)

DAY = 1_772_409_600.0  # a local midnight (UTC here)
T0 = DAY + 9 * 3600  # 09:00


def fold(board: Board, *events) -> set[Section]:
    changed: set[Section] = set()
    for event in events:
        changed |= apply_event(board, event)
    return changed


def escalated_call(call_id: str, t: float, queue: str = "support", reason: str = "anger") -> list:
    return [
        CallStarted(call_id=call_id, at=t, direction="outbound", campaign_id=7),
        CallAnswered(call_id=call_id, at=t + 5),
        UtteranceHeard(call_id=call_id, at=t + 9, utterance_id="u1", speaker="customer", text="this is useless",
                       sentiment=-0.7),
        DecisionMade(call_id=call_id, at=t + 10, turn=2, escalate=True, reason=reason, score=0.83, queue=queue,
                     explanation="anger 0.83 ≥ 0.6"),
        CallEscalated(call_id=call_id, at=t + 13, queue=queue, reason=reason, score=0.83, decided_at=t + 10,
                      summary="Angry about a late order."),
        CallQueued(call_id=call_id, at=t + 13.4, queue=queue, wait_s=3.4),
    ]  # fmt: skip


def answered_by(call_id: str, agent: str, at: float, queue: str = "support") -> list:
    """What pbx says when an agent answers an escalated call: their phone, and the call."""
    return [AgentStateChanged(call_id=call_id, at=at, agent=agent, state="on_call", queue=queue),
            AgentConnected(call_id=call_id, at=at, agent=agent, queue=queue)]  # fmt: skip


def test_an_escalation_shows_as_a_waiting_caller_with_its_reason_and_latency() -> None:
    board = Board(day_start=DAY)
    changed = fold(board, *escalated_call("c1", T0))
    assert {Section.QUEUES, Section.TODAY, Section.ESCALATIONS} <= changed
    out = render(board, now=T0 + 43.4)
    (support,) = out["queues"]
    assert support["name"] == "support" and support["waiting"] == 1
    assert support["oldest_since"] == T0 + 13.4 and support["longest_wait_s"] == 30.0
    (feed,) = out["escalations"]
    assert feed["reason"] == "anger" and feed["decision_to_queue_s"] == 3.4 and feed["status"] == "waiting"
    assert feed["explanation"] == "Angry about a late order." and feed["campaign_id"] == 7
    assert out["today"]["total"] == 1 and out["today"]["escalated"] == 1 and out["today"]["in_progress"] == 1
    assert out["today"]["escalation_latency_s"] == 3.4
    assert out["live"]["calls"] == []  # with a human queue now, not an AI call


def test_agent_answer_clears_the_wait_and_counts_for_service_level() -> None:
    board = Board(day_start=DAY)
    apply_agents(board, [AgentFact("agent1", "available", T0 - 60, queues=("support",))])
    fold(board, *escalated_call("c1", T0),
         *answered_by("c1", "agent1", T0 + 25.4))  # fmt: skip
    out = render(board, now=T0 + 30)
    (support,) = out["queues"]
    assert support["waiting"] == 0 and support["oldest_since"] is None
    assert support["agents"]["on_call"] == 1 and support["agents"]["available"] == 0
    assert out["today"]["answered_by_agent"] == 1 and out["today"]["lost"] == 0
    assert out["today"]["asa_s"] == 12.0 and out["today"]["service_level"] == 1.0
    assert out["escalations"][0]["status"] == "with_agent" and out["escalations"][0]["agent"] == "agent1"
    # Calls handled count once the agent's leg ends; on a call since 09:00:25.4 of 4.6 s logged in: occupied.
    assert out["agents"] == [{"name": "agent1", "display_name": "agent1", "state": "on_call", "since": T0 + 25.4,
                              "queues": ["support"], "reason": "", "reserved_for": None, "calls_today": 0,
                              "aht_s": None,
                              "occupancy": 1.0}]  # fmt: skip


def test_calls_today_split_into_bot_completed_escalated_answered_lost_and_not_reached() -> None:
    board = Board(day_start=DAY)
    fold(board,
         CallStarted(call_id="bot", at=T0, direction="outbound"), CallAnswered(call_id="bot", at=T0 + 4),
         CallEnded(call_id="bot", at=T0 + 60, outcome="confirmed"),
         CallStarted(call_id="nope", at=T0, direction="outbound"), CallEnded(call_id="nope", at=T0 + 30, outcome="no_answer"),
         *escalated_call("served", T0 + 100),
         *answered_by("served", "agent1", T0 + 150),
         CallEnded(call_id="served", at=T0 + 400, outcome="escalated"),
         *escalated_call("gave_up", T0 + 200),
         QueueAbandoned(call_id="gave_up", at=T0 + 240, queue="support"),
         *escalated_call("timed_out", T0 + 300, queue="sales"),
         ReturnedToBot(call_id="timed_out", at=T0 + 330, queue="sales", status="TIMEOUT"),
         *escalated_call("hung_up", T0 + 400),
         CallEnded(call_id="hung_up", at=T0 + 420, outcome="escalated"))  # fmt: skip
    today = render(board, now=T0 + 500)["today"]
    assert today["total"] == 6
    assert today["completed_by_bot"] == 1 and today["outcomes"]["no_answer"] == 1
    # Queue passages (contactcenter.reports.figures): answered 1 (waited 36.6 s), abandoned 2
    # (gave_up after 26.6 s, hung_up after 6.6 s: neither under the 5 s of a short abandon),
    # returned to the bot 1 (timed_out).
    assert today["escalated"] == 4 and today["answered_by_agent"] == 1 and today["lost"] == 3
    assert today["abandoned"] == 2 and today["returned_to_bot"] == 1 and today["short_abandons"] == 0
    # Containment: of the 3 AI calls that ended (bot, served, hung_up), the bot finished 1;
    # abandon rate: 2 abandoned of 4 ended passages.
    assert today["containment_rate"] == 0.3333 and today["abandon_rate"] == 0.5
    assert today["service_level"] == 0.0  # the one answered waited 36.6 s > 20 s
    queues = {q["name"]: q for q in render(board, now=T0 + 500)["queues"]}
    assert queues["support"]["waiting"] == 0 and queues["sales"]["waiting"] == 0
    assert queues["sales"]["lost_today"] == 1 and queues["support"]["lost_today"] == 2


def test_longest_wait_is_the_oldest_caller_still_waiting() -> None:
    board = Board(day_start=DAY)
    fold(board, *escalated_call("a", T0), *escalated_call("b", T0 + 10))
    assert render(board, now=T0 + 100)["queues"][0]["longest_wait_s"] == 86.6
    fold(board, CallLeftQueue(call_id="a", at=T0 + 101, queue="support"))
    (support,) = render(board, now=T0 + 110)["queues"]
    assert support["waiting"] == 1 and support["longest_wait_s"] == 86.6


def test_the_same_events_twice_change_nothing() -> None:
    events = [*escalated_call("c1", T0), QueueAbandoned(call_id="c1", at=T0 + 20, queue="support"),
              CallEnded(call_id="c1", at=T0 + 21, outcome="abandoned")]  # fmt: skip
    once, twice = Board(day_start=DAY), Board(day_start=DAY)
    fold(once, *events)
    fold(twice, *events, *events)
    assert render(once, now=T0 + 30) == render(twice, now=T0 + 30)


def test_fail_safe_callers_without_a_pbx_call_show_by_channel() -> None:
    board = Board(day_start=DAY)
    fold(board, CallQueued(at=T0, queue="support", channel="PJSIP/trunk-0001", reason="pbx_down"))
    out = render(board, now=T0 + 5)
    assert out["queues"][0]["waiting"] == 1
    assert out["escalations"][0]["reason"] == "pbx_down" and out["escalations"][0]["call_id"] is None
    fold(board, AgentConnected(at=T0 + 8, queue="support", channel="PJSIP/trunk-0001", agent="agent2"))
    assert render(board, now=T0 + 9)["queues"][0]["waiting"] == 0


def test_live_ai_calls_follow_sentiment_and_risk() -> None:
    board = Board(day_start=DAY)
    fold(board, CallStarted(call_id="c1", at=T0, direction="inbound"), CallAnswered(call_id="c1", at=T0 + 1))
    assert fold(board, UtteranceHeard(call_id="c1", at=T0 + 3, utterance_id="u", speaker="customer", text="hm",
                                      final=False, sentiment=-0.9)) == set()  # fmt: skip
    assert fold(board, UtteranceHeard(call_id="c1", at=T0 + 4, utterance_id="u", speaker="customer", text="bad",
                                      sentiment=-0.5)) == {Section.LIVE}  # fmt: skip
    fold(board, DecisionMade(call_id="c1", at=T0 + 4, turn=1, escalate=False, score=0.4))
    live = render(board, now=T0 + 5)["live"]
    assert live["calls"] == [{"call_id": "c1", "campaign_id": None, "direction": "inbound", "state": "with_bot",
                              "since": T0 + 1, "sentiment": -0.5, "risk": 0.4, "at_risk": False,
                              "reserved_agent": ""}]  # fmt: skip
    assert live["avg_sentiment"] == -0.5 and live["ai_calls"] == 1  # pbx not reporting: what we follow
    assert fold(board, CommandRejected(call_id="c1", at=T0 + 6, error="bad")) == set()


def test_live_counts_from_pbx_and_when_they_go_stale() -> None:
    board = Board(day_start=DAY)
    data = {b"dialing": b"0", b"screening": b"0", b"leaving_message": b"0", b"with_bot": b"3", b"escalating": b"1",
            b"queued": b"2", b"with_agent": b"0", b"ai_calls": b"4", b"updated_at": str(T0).encode(),
            b"weird": b"x"}  # fmt: skip
    assert apply_live_counts(board, data, now=T0 + 1) == {Section.LIVE}
    live = render(board, now=T0 + 1)["live"]
    assert live["ai_calls"] == 4 and live["pbx_ok"] is True and live["pbx"]["queued"] == 2 and "weird" not in live["pbx"]
    assert apply_live_counts(board, data, now=T0 + 2) == set()  # same counts, still fresh: nothing to send
    assert apply_live_counts(board, data, now=T0 + 30) == {Section.LIVE}  # pbx stopped reporting
    assert render(board, now=T0 + 30)["live"]["pbx_ok"] is False
    assert apply_live_counts(board, None, now=T0 + 31) == {Section.LIVE}


def test_live_counts_missing_a_state_show_pbx_as_not_reporting() -> None:
    board = Board(day_start=DAY)
    data = {b"with_bot": b"3", b"ai_calls": b"4", b"updated_at": str(T0).encode()}  # an older or renamed pbx
    apply_live_counts(board, data, now=T0 + 1)
    live = render(board, now=T0 + 1)["live"]
    assert live["pbx_ok"] is False and live["pbx"] == {}


def test_agent_state_the_newer_of_database_and_queue_events_wins() -> None:
    board = Board(day_start=DAY)
    apply_agents(board, [AgentFact("agent1", "available", T0, queues=("support",))])
    fold(board, AgentStateChanged(at=T0 + 10, agent="agent1", state="on_call", queue="support"))
    # The database has not heard of the call yet (nothing applied it): the event stays.
    assert apply_agents(board, [AgentFact("agent1", "available", T0, queues=("support",))]) == set()
    assert render(board, now=T0 + 11)["agents"][0]["state"] == "on_call"
    # A supervisor pauses the agent afterwards: the database wins, and queue activity no longer moves it.
    assert apply_agents(board, [AgentFact("agent1", "paused", T0 + 20, queues=("support",))]) == {
        Section.AGENTS, Section.QUEUES}
    assert fold(board, AgentStateChanged(at=T0 + 30, agent="agent1", state="available", queue="support")) == set()
    assert render(board, now=T0 + 31)["queues"][0]["agents"]["paused"] == 1
    # A member no one configured still shows, with the queue it answered in.
    fold(board, AgentStateChanged(at=T0 + 40, agent="agent9", state="ringing", queue="sales"))
    agents = {a["name"]: a for a in render(board, now=T0 + 41)["agents"]}
    assert agents["agent9"]["state"] == "ringing" and agents["agent9"]["queues"] == ["sales"]


def test_queues_from_the_database_show_even_when_empty() -> None:
    board = Board(day_start=DAY)
    assert apply_queues(board, ["support", "billing"]) == {Section.QUEUES}
    assert apply_queues(board, ["billing", "support"]) == set()
    assert [q["name"] for q in render(board, now=T0)["queues"]] == ["billing", "support"]


def test_campaign_progress_outcomes_and_human_bound_pacing() -> None:
    board = Board(day_start=DAY)
    fact = CampaignFact(id=1, name="Orders", status="running", dial_mode="ai_first", leads_total=20, leads_done=5,
                        leads_pending=13, leads_dialing=2, outcomes={"confirmed": 3, "escalated": 1, "callback": 1},
                        pacing={"bound": "humans", "human_bound": True, "explanation": "human-bound: 1 free agent(s)",
                                "in_progress": 2, "escalation_rate": 0.2})  # fmt: skip
    assert apply_campaigns(board, [fact]) == {Section.CAMPAIGNS}
    assert apply_campaigns(board, [fact]) == set()
    (row,) = render(board, now=T0)["campaigns"]
    assert row["progress"] == 0.25 and row["leads_done"] == 5 and row["leads_total"] == 20
    assert list(row["outcomes"]) == ["confirmed", "callback", "escalated"]
    assert row["pacing"]["human_bound"] is True and row["pacing"]["bound"] == "humans"


def test_a_new_day_starts_counting_again_but_keeps_calls_still_going() -> None:
    board = Board(day_start=DAY)
    fold(board, CallStarted(call_id="done", at=T0, direction="outbound"), CallEnded(call_id="done", at=T0 + 9, outcome="busy"),
         CallStarted(call_id="late", at=DAY + 86_399, direction="outbound"))  # fmt: skip
    assert render(board, now=DAY + 86_399)["today"]["total"] == 2
    assert Section.TODAY in roll_day(board, DAY + 86_400)
    assert roll_day(board, DAY + 86_400) == set()
    assert set(board.calls) == {"late"}
    assert render(board, now=DAY + 86_401)["today"]["total"] == 0
    fold(board, CallAnswered(call_id="late", at=DAY + 86_402))
    assert render(board, now=DAY + 86_403)["live"]["calls"][0]["call_id"] == "late"
