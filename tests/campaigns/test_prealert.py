"""Pre-alert on the management side: pbx's ``call.at_risk`` reserves the best free agent of the
call's queue once, pbx is told (``reserve_agent``), and every way a reservation ends frees the
agent unless a person or their phone set another state meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest

from contactcenter.campaigns.pacing_inputs import campaign_view, pacing_snapshot
from contactcenter.campaigns.pbx_events import apply_event, apply_events
from contactcenter.console import prealert
from contactcenter.people import agents, reservations
from contactcenter.people.models import Agent, AgentSkill, AgentState, HumanQueue, Reservation, Skill
from pbx.api import (
    AgentReserved,
    AgentStateChanged,
    CallAtRisk,
    CallEnded,
    ReservationEnded,
    ReserveAgent,
    UtteranceHeard,
)
from tests.campaigns.conftest import NOW, FakePbx

T0 = NOW.timestamp()
CALL = "c0ffee00-0000-4000-8000-000000000001"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet_consoles(settings) -> None:
    # The banner's pushes go to an in-memory layer nobody listens to (tests/console checks them).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CC_PREALERT_HOLD_S = 45
    settings.CC_PREALERT_SWEEP_GRACE_S = 30


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the command to pbx, the pushes) as it would after one."""

    def run(apply):
        with django_capture_on_commit_callbacks(execute=True):
            return apply()

    return run


def at(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def agent(name: str, state: str = AgentState.AVAILABLE, idle_since: float = 0.0, **fields) -> Agent:
    return Agent.objects.create(name=name, state=state, state_changed_at=at(idle_since), **fields)


def at_risk(call_id: str = CALL, queue: str = "billing", active: bool = True, seconds: float = 10, **kw) -> CallAtRisk:
    return CallAtRisk(call_id=call_id, queue=queue, active=active, score=0.41, reason="anger",
                      explanation="raised voice twice", at=T0 + seconds, **kw)  # fmt: skip


def state_of(name: str) -> str:
    return Agent.objects.get(name=name).state


@pytest.fixture
def billing() -> HumanQueue:
    return HumanQueue.objects.create(name="billing")


def test_the_best_free_member_is_chosen_penalty_then_skill_then_longest_idle(billing) -> None:
    finance = Skill.objects.create(name="finance")
    billing.required_skill = finance
    billing.save()
    # By hand: penalty as set. By skill: penalty 10 - level (the hand-set row wins for an agent in both).
    for name, penalty in (("ann", 2), ("bob", 1), ("cat", 1), ("dan", 0)):
        agent(name, idle_since={"bob": -60, "cat": -120}.get(name, 0.0)).memberships.create(queue=billing,
                                                                                            penalty=penalty)
    for name, level in (("bob", 9), ("cat", 3), ("eve", 9), ("fay", 10)):
        holder = Agent.objects.filter(name=name).first() or agent(name, idle_since=-300)
        AgentSkill.objects.create(agent=holder, skill=finance, level=level)
    Agent.objects.filter(name="dan").update(state=AgentState.ON_CALL)  # the best, but busy
    Agent.objects.filter(name="fay").update(state=AgentState.PAUSED)  # penalty 0, paused
    agent("gus").memberships.create(queue=HumanQueue.objects.create(name="other"))  # not a member

    ranked = [c.agent.name for c in reservations.candidates(billing)]
    # bob and cat share penalty 1: bob's finance 9 beats cat's 3 though cat is idle longer;
    # eve (level 9 → penalty 1) ties bob on both and has been free longest.
    assert ranked == ["eve", "bob", "cat", "ann"]


def test_call_at_risk_reserves_one_agent_once_and_tells_pbx(billing, committed) -> None:
    agent("ann", auto_answer=False).queues.add(billing)
    agent("bob").queues.add(billing)
    Agent.objects.filter(name="bob").update(state_changed_at=at(-600))  # free the longest: chosen
    pbx = FakePbx()
    event = at_risk()

    assert committed(lambda: apply_event(event, pbx)) == "reserved"
    assert state_of("bob") == AgentState.RESERVED and state_of("ann") == AgentState.AVAILABLE
    reservation = Reservation.objects.get()
    assert (reservation.call_id, reservation.agent.name, reservation.queue, reservation.reason) == (
        CALL, "bob", "billing", "anger")
    assert reservation.until == at(10 + 45)
    [command] = pbx.commands
    assert isinstance(command, ReserveAgent)
    assert (command.call_id, command.agent, command.queue, command.auto_answer, command.hold_s) == (
        CALL, "bob", "billing", True, 45)

    # Delivered again (a crash before the acknowledgement), or pbx saying it again: nothing more.
    assert committed(lambda: apply_events([event, at_risk(seconds=12)], pbx)) == ["already_reserved"] * 2
    assert Reservation.objects.count() == 1 and len(pbx.commands) == 1
    assert state_of("ann") == AgentState.AVAILABLE

    # The agent's auto-answer setting goes with the command.
    assert committed(lambda: apply_event(at_risk(call_id="second-call"), pbx)) == "reserved"
    assert (pbx.commands[-1].agent, pbx.commands[-1].auto_answer) == ("ann", False)


def test_no_free_agent_reserves_nobody(billing, committed, caplog) -> None:
    agent("ann", state=AgentState.ON_CALL).queues.add(billing)
    agent("bob", state=AgentState.RESERVED).queues.add(billing)
    pbx = FakePbx()
    assert committed(lambda: apply_event(at_risk(), pbx)) == "no_free_agent"
    assert committed(lambda: apply_event(at_risk(queue="nowhere"), pbx)) == "no_queue"
    assert not Reservation.objects.exists() and pbx.commands == []
    assert "no free agent in billing" in caplog.text
    # Without a way to tell pbx, nobody is held for nothing.
    agent("cy").queues.add(billing)
    assert apply_event(at_risk()) == "ignored"
    assert state_of("cy") == AgentState.AVAILABLE


def reserve(billing, committed, name: str = "ann") -> FakePbx:
    if not Agent.objects.filter(name=name).exists():
        agent(name).queues.add(billing)
    pbx = FakePbx()
    assert committed(lambda: apply_event(at_risk(), pbx)) == "reserved"
    return pbx


def test_pbx_confirms_the_hold_and_its_time_counts(billing, committed) -> None:
    reserve(billing, committed)
    assert apply_event(AgentReserved(call_id=CALL, agent="ann", queue="billing", until=T0 + 70)) == "reservation_confirmed"
    assert Reservation.objects.get().until == at(70)
    assert apply_event(AgentReserved(call_id=CALL, agent="bob", queue="billing", until=T0 + 70)) == "ignored"


@pytest.mark.parametrize("why", ["risk_fell", "timeout", "escalated", "unavailable", "call_ended"])
def test_the_end_pbx_reports_frees_a_still_reserved_agent(billing, committed, why) -> None:
    reserve(billing, committed)
    ended = ReservationEnded(call_id=CALL, agent="ann", why=why, at=T0 + 30)
    assert committed(lambda: apply_event(ended)) == "reservation_ended"
    assert state_of("ann") == AgentState.AVAILABLE
    reservation = Reservation.objects.get()
    assert (reservation.end, reservation.ended_at) == (why, at(30))
    assert committed(lambda: apply_event(ended)) == "ignored"  # delivered again


@pytest.mark.parametrize("meanwhile", [AgentState.PAUSED, AgentState.OFFLINE, AgentState.RINGING])
def test_a_state_set_meanwhile_is_kept_when_the_reservation_ends(billing, committed, meanwhile) -> None:
    reserve(billing, committed)
    if meanwhile == AgentState.RINGING:  # the escalated call rings the reserved agent first
        apply_event(AgentStateChanged(agent="ann", state="ringing", queue="billing", at=T0 + 20))
    else:  # a person's choice (console or admin)
        Agent.objects.filter(name="ann").update(state=meanwhile)
    committed(lambda: apply_event(ReservationEnded(call_id=CALL, agent="ann", why="escalated", at=T0 + 21)))
    assert state_of("ann") == meanwhile
    assert Reservation.objects.get().end == "escalated"


def test_the_call_ending_ends_its_reservation_even_without_pbx_saying_so(billing, committed) -> None:
    reserve(billing, committed)  # not a campaign call here: no attempt, still the agent is freed
    assert committed(lambda: apply_event(CallEnded(call_id=CALL, outcome="confirmed", at=T0 + 40))) == "not_ours"
    assert state_of("ann") == AgentState.AVAILABLE
    assert Reservation.objects.get().end == "call_ended"


def test_risk_falling_back_leaves_the_hold_to_pbx_and_a_later_rise_reserves_again(billing, committed) -> None:
    pbx = reserve(billing, committed)
    assert committed(lambda: apply_event(at_risk(active=False, seconds=20), pbx)) == "banner_cleared"
    assert state_of("ann") == AgentState.RESERVED  # until pbx reports the end
    committed(lambda: apply_event(ReservationEnded(call_id=CALL, agent="ann", why="risk_fell", at=T0 + 21)))
    assert committed(lambda: apply_event(at_risk(seconds=40), pbx)) == "reserved"
    assert Reservation.objects.filter(ended_at__isnull=True).count() == 1
    assert len(pbx.commands) == 2


def test_utterances_update_only_a_reserved_calls_banner(billing, committed) -> None:
    heard = UtteranceHeard(call_id=CALL, utterance_id="u1", speaker="customer", text="this is the third time")
    assert apply_event(heard) == "ignored"  # nobody reserved for it yet
    reserve(billing, committed)
    assert committed(lambda: apply_event(heard)) == "banner_updated"
    assert apply_event(heard.model_copy(update={"final": False})) == "ignored"


def test_the_sweep_frees_agents_pbx_never_released(billing, committed) -> None:
    reserve(billing, committed)  # until = +55 s
    agent("orphan", state=AgentState.RESERVED, idle_since=50)  # pbx said reserved; no reservation here
    assert committed(lambda: prealert.sweep(at(55 + 29))) == 0  # within the grace: pbx may still report
    assert state_of("ann") == AgentState.RESERVED
    assert committed(lambda: prealert.sweep(at(55 + 31))) == 1
    assert state_of("ann") == AgentState.AVAILABLE
    assert Reservation.objects.get().end == "timeout"
    # An agent reserved with no open reservation: after a hold and the grace.
    assert state_of("orphan") == AgentState.RESERVED
    prealert.sweep(at(50 + 45 + 29))
    assert state_of("orphan") == AgentState.RESERVED
    prealert.sweep(at(50 + 45 + 31))
    assert state_of("orphan") == AgentState.AVAILABLE


def test_reserved_agents_count_as_busy_for_the_pacer(billing, committed) -> None:
    agent("ann").queues.add(billing)
    agent("bob").queues.add(billing)
    assert agents.agent_counts(["billing"]) == agents.AgentCounts(free=2, busy=0)
    reserve(billing, committed)
    assert agents.agent_counts(["billing"]) == agents.AgentCounts(free=1, busy=1, reserved=1)


def test_the_pacer_is_told_which_busy_agents_are_reserved(make_campaign) -> None:
    campaign = make_campaign(dial_mode="ai_first")
    Agent.objects.filter(name="agent1").update(state=AgentState.RESERVED)
    view = campaign_view(campaign)
    snapshot = pacing_snapshot(view, [view], site_free=None, inbound_waiting={})
    assert (snapshot.free_agents, snapshot.busy_agents, snapshot.reserved_agents) == (1, 1, 1)
