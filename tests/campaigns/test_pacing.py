"""The pacer on a simulated clock: AI-first never exceeds AI lines nor lets expected escalations
exceed free agents; predictive stays under its abandon cap over 10,000 calls."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from contactcenter.campaigns.pacing import Bound, DialMode, RunningRate, Snapshot, decide, expected_excess
from tests.campaigns.sim import simulate_human_dialer


def test_ai_first_holds_both_limits_on_every_snapshot() -> None:
    rng = random.Random(1)
    for _ in range(20_000):
        s = Snapshot(mode=DialMode.AI_FIRST, in_progress=rng.randint(0, 40), max_lines=rng.randint(1, 40),
                     free_agents=rng.randint(0, 10), waiting_for_agent=rng.choice([0, 0, 1, 2.5]),
                     site_lines_free=rng.choice([None, rng.randint(0, 20)]), escalation_rate=rng.random())  # fmt: skip
        d = decide(s)
        assert d.calls >= 0
        if d.calls:
            after = s.in_progress + d.calls
            assert after <= s.max_lines
            assert s.site_lines_free is None or d.calls <= s.site_lines_free
            assert s.escalation_rate * after <= max(0.0, s.free_agents - s.waiting_for_agent) + 1e-9
            assert not _margin_broken(s, after)
            # And it uses what it may: one more call would break a limit or the margin.
            one_more = after + 1
            assert (one_more > s.max_lines or (s.site_lines_free is not None and d.calls + 1 > s.site_lines_free)
                    or s.escalation_rate * one_more > s.free_agents - s.waiting_for_agent
                    or _margin_broken(s, one_more))  # fmt: skip


def test_ai_first_reports_when_humans_are_the_limit() -> None:
    d = decide(Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=30, free_agents=2, escalation_rate=0.2))
    # 2 free agents, 20%: 10 calls would be 2 expected escalations, 3 or more a third of the
    # time; the margin keeps 3 calls (more than 2 escalate 0.8% of the time).
    assert (d.calls, d.bound, d.human_bound) == (3, Bound.HUMANS, True)
    assert "human-bound" in d.explanation and "2 free agent" in d.explanation and "cover 3 call" in d.explanation
    d = decide(Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=3, free_agents=2, escalation_rate=0.2))
    assert (d.calls, d.bound, d.human_bound) == (3, Bound.LINES, False)
    # Nobody free: an AI-first campaign waits rather than dial callers it could not hand over.
    assert decide(Snapshot(DialMode.AI_FIRST, 0, 30, free_agents=0, escalation_rate=0.05)).calls == 0


def test_ai_first_simulation_never_breaks_a_limit() -> None:
    from contactcenter.campaigns.pacing_simulation import AiFirstScenario, simulate_ai_first

    for agents, rate in itertools.product((1, 3, 8), (0.05, 0.2, 0.5)):
        scenario = AiFirstScenario(agents=agents, escalation_rate=rate, mean_ai_call_s=60, mean_handle_s=120,
                                   ai_lines=25, hours=0.5, seed=agents)  # fmt: skip
        run = simulate_ai_first(scenario, keep_snapshots=True)
        assert 0 < run.max_lines_used <= 25 and run.ai_calls > 0
        for s, n in run.snapshots:
            if n:
                assert s.in_progress + n <= s.max_lines
                assert not _coverage_broken(s, s.in_progress + n), (agents, rate, s)


def test_running_rate_starts_at_the_prior_and_learns() -> None:
    assert RunningRate(0, 0, 0.15).value == pytest.approx(0.15)
    assert RunningRate(50, 1000, 0.15).value == pytest.approx((50 + 3) / 1020)
    assert RunningRate(0, 0, 0.5, 10).upper() > 0.5


def test_expected_excess_matches_brute_force() -> None:
    from math import comb

    for n, p, a in [(5, 0.3, 2), (12, 0.5, 3), (30, 0.25, 7), (3, 0.9, 3)]:
        brute = sum(comb(n, k) * p**k * (1 - p) ** (n - k) * max(0, k - a) for k in range(n + 1))
        assert expected_excess(n, p, a) == pytest.approx(brute)


def test_progressive_calls_one_per_free_agent() -> None:
    assert decide(Snapshot(DialMode.PROGRESSIVE, in_progress=1, max_lines=50, free_agents=4)).calls == 3
    assert decide(Snapshot(DialMode.PROGRESSIVE, in_progress=0, max_lines=50, free_agents=4,
                           waiting_for_agent=4)).calls == 0  # fmt: skip
    assert decide(Snapshot(DialMode.PREVIEW, 0, 50, free_agents=4)).calls == 0


def test_predictive_keeps_abandons_under_the_cap_over_10000_calls() -> None:
    predictive = simulate_human_dialer(DialMode.PREDICTIVE, calls=10_000, agents=20, answer_p=0.3, cap=0.03)
    progressive = simulate_human_dialer(DialMode.PROGRESSIVE, calls=10_000, agents=20, answer_p=0.3, cap=0.03)
    assert predictive.dialled == 10_000
    assert predictive.abandon_rate < 0.03
    assert predictive.max_abandon_rate_seen < 0.03  # at every moment after the first 200 answers
    assert progressive.abandoned == 0
    # It earns its abandons: agents talk more of the time and the list is done sooner.
    assert predictive.occupancy > progressive.occupancy + 0.05
    assert predictive.seconds < progressive.seconds * 0.9


@pytest.mark.parametrize("cap", [0.01, 0.05])
def test_predictive_follows_a_different_cap(cap: float) -> None:
    result = simulate_human_dialer(DialMode.PREDICTIVE, calls=4000, agents=10, answer_p=0.4, cap=cap, seed=11)
    assert result.abandon_rate < cap


# ------------------------------------------------------------------ AI-first with durations known


def _erlang_service_level(agents: int, load: float, within_over_handle: float) -> float:
    """P(wait ≤ t) in M/M/c from the textbook sum, independent of pacing.erlang_c's recursion."""
    if load >= agents:
        return 0.0
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    p_wait = top / (sum(load**k / math.factorial(k) for k in range(agents)) + top)
    return 1.0 - p_wait * math.exp(-(agents - load) * within_over_handle)


HORIZONS = [0.01 * 1.02**i for i in range(900)]  # 0.01 s … ~5e5 s


def _margin_broken(s: Snapshot, n: int) -> bool:
    """Rule 1's margin by brute force: of X ~ Binomial(n, e) escalations, those finding the
    whole free agents taken exceed half the share the service level lets wait."""
    e, free = s.escalation_rate, math.floor(s.free_agents - s.waiting_for_agent)
    excess = sum(math.comb(n, k) * e**k * (1 - e) ** (n - k) * (k - free) for k in range(max(0, free) + 1, n + 1))
    return excess > 0.5 * (1 - s.service_level) * e * n + 1e-9


def _coverage_broken(s: Snapshot, n: int, slack: float = 1e-6) -> bool:
    """Rule 1 of the pacer, checked on a dense grid of horizons and at h → ∞ (and, while the
    means are unknown, with its margin)."""
    e, free = s.escalation_rate, s.free_agents - s.waiting_for_agent
    if not (s.mean_ai_call_s and s.mean_handle_s):
        return e * n > max(0.0, free) + slack or _margin_broken(s, n)
    if e * n > free + s.busy_agents + slack:  # h → ∞
        return True
    return any(e * n * -math.expm1(-h / s.mean_ai_call_s) > free + s.busy_agents * -math.expm1(-h / s.mean_handle_s)
               + slack for h in HORIZONS)  # fmt: skip


def _pace_broken(s: Snapshot, n: int, slack: float = 1e-3) -> bool:
    """Rule 2: e·(n − ½)/T plus the others' arrivals within what Erlang C allows (the nearest
    whole number), or e·(n − 1)/T within it and the margin kept (rounded up); n = 1 always."""
    if not (s.mean_ai_call_s and s.mean_handle_s) or n <= 1 or s.escalation_rate == 0:
        return False
    t, handle = s.mean_ai_call_s, s.mean_handle_s

    def level(calls: float) -> float:
        arrivals = s.escalation_rate * calls / t + s.other_escalations_per_s
        return _erlang_service_level(s.free_agents + s.busy_agents, arrivals * handle, s.answer_within_s / handle)

    if level(n - 0.5) >= s.service_level - slack:
        return False
    return level(n - 1) < s.service_level - slack or _margin_broken(s, n)


def _random_snapshot(rng: random.Random) -> Snapshot:
    free = rng.randint(0, 12)
    return Snapshot(mode=DialMode.AI_FIRST, in_progress=rng.randint(0, 60), max_lines=rng.randint(1, 80),
                    free_agents=free, busy_agents=rng.randint(0, 25), waiting_for_agent=rng.choice([0, 0, 1, 2.5]),
                    site_lines_free=rng.choice([None, rng.randint(0, 30)]), escalation_rate=rng.uniform(0.01, 0.6),
                    mean_ai_call_s=rng.choice([None, rng.uniform(20, 600)]),
                    mean_handle_s=rng.choice([rng.uniform(30, 600)]),
                    other_escalations_per_s=rng.choice([0.0, rng.uniform(0, 0.02)]))  # fmt: skip


def test_ai_first_with_durations_keeps_every_rule_and_uses_what_they_allow() -> None:
    rng = random.Random(5)
    dialled = paced = covered = 0
    for _ in range(1500):
        s = _random_snapshot(rng)
        d = decide(s)
        assert d.calls >= 0
        if not d.calls:
            continue
        dialled += 1
        after = s.in_progress + d.calls
        assert after <= s.max_lines
        assert s.site_lines_free is None or d.calls <= s.site_lines_free
        assert s.free_agents - s.waiting_for_agent > 0  # rule 0
        assert not _coverage_broken(s, after), s  # rule 1
        assert not _pace_broken(s, after), s  # rule 2
        # One more call would break a line limit or a rule.
        lines_full = after + 1 > s.max_lines or (s.site_lines_free is not None and d.calls + 1 > s.site_lines_free)
        cover_full = _coverage_broken(s, after + 1, slack=-1e-3)
        pace_full = _pace_broken(s, after + 1, slack=-1e-4)
        assert lines_full or cover_full or pace_full, s
        paced += pace_full and not cover_full and not lines_full
        covered += cover_full and not pace_full and not lines_full
    assert dialled > 300 and paced > 20 and covered > 20  # every rule is exercised


def test_ai_first_without_durations_is_the_strict_rule_with_its_margin() -> None:
    # Busy agents count for nothing and there is no pace until the means are known; of the 16
    # calls whose expected escalations the 4 free agents cover, the margin keeps 8.
    s = Snapshot(DialMode.AI_FIRST, in_progress=3, max_lines=100, free_agents=4, busy_agents=6, escalation_rate=0.25)
    assert decide(s).calls == 8 - 3
    assert _margin_broken(s, 9) and not _margin_broken(s, 8)
    assert decide(Snapshot(**{**s.__dict__, "mean_ai_call_s": 120.0})).calls == 5
    assert decide(Snapshot(**{**s.__dict__, "mean_handle_s": 240.0})).calls == 5


def test_busy_agents_count_when_calls_outlast_their_handling() -> None:
    # Long AI calls, short handling: agents free up long before the calls in progress escalate.
    base = Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=500, free_agents=5, busy_agents=15,
                    escalation_rate=0.1, mean_ai_call_s=300.0, mean_handle_s=60.0)  # fmt: skip
    strict = decide(Snapshot(**{**base.__dict__, "mean_ai_call_s": None}))
    assert strict.calls == 27 and strict.human_bound  # 50 expected escalations' worth, with the margin
    assert decide(base).calls > 100
    # The same agents but short AI calls, long handling: escalations come before anyone frees
    # up, so coverage credits busy agents little (and the Erlang C pace is tighter still).
    from contactcenter.campaigns.pacing import covered_calls

    quick = Snapshot(**{**base.__dict__, "mean_ai_call_s": 30.0, "mean_handle_s": 600.0})
    assert 50 <= covered_calls(quick) < 80 < 100 < covered_calls(base) < 200  # 200: (free + busy) / rate
    assert decide(quick).calls < 10 and "escalations/h" in decide(quick).explanation


def test_ai_first_starts_nothing_while_nobody_is_free() -> None:
    s = Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=50, free_agents=2, waiting_for_agent=2, busy_agents=30,
                 escalation_rate=0.1, mean_ai_call_s=300.0, mean_handle_s=60.0)  # fmt: skip
    d = decide(s)
    assert d.calls == 0 and d.human_bound and "2 waiting" in d.explanation


def test_a_small_team_still_dials_one_call_at_a_time() -> None:
    # 2 agents, 40% escalations, 4-minute handling: Erlang C allows ~0.6 calls in progress.
    s = Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=20, free_agents=2, escalation_rate=0.4,
                 mean_ai_call_s=60.0, mean_handle_s=240.0)  # fmt: skip
    d = decide(s)
    assert d.calls == 1 and d.human_bound and "escalations/h" in d.explanation
    assert decide(Snapshot(**{**s.__dict__, "in_progress": 1})).calls == 0


def test_erlang_c_matches_the_textbook_sum() -> None:
    from contactcenter.campaigns.pacing import max_arrival_rate, service_level

    for agents, load in [(1, 0.5), (5, 3.2), (10, 7.9), (40, 35.0), (3, 2.999)]:
        ours = service_level(agents, load, 20.0, 180.0)
        assert ours == pytest.approx(_erlang_service_level(agents, load, 20.0 / 180.0), abs=1e-9)
    # Textbook case: 10 agents, 8 erlangs → 40.9% of callers wait.
    assert 1 - service_level(10, 8.0, 0.0, 1.0) == pytest.approx(0.4092, abs=1e-4)
    # The limit: exactly the target service level there, and more agents take more than linearly.
    rate = max_arrival_rate(10, 240.0, 2.0, 0.95)
    assert _erlang_service_level(10, rate * 240.0, 2.0 / 240.0) == pytest.approx(0.95, abs=1e-6)
    assert max_arrival_rate(20, 240.0, 2.0, 0.95) > 2.2 * rate
    assert max_arrival_rate(0, 240.0, 2.0, 0.95) == 0.0


def test_simulated_campaign_never_breaks_a_rule_at_any_tick() -> None:
    from contactcenter.campaigns.pacing_simulation import AiFirstScenario, simulate_ai_first

    for scenario in (AiFirstScenario(hours=1.0, seed=2),
                     AiFirstScenario(agents=6, escalation_rate=0.3, mean_ai_call_s=60, mean_handle_s=300,
                                     ai_lines=25, hours=1.0, prior=0.1, seed=4)):  # fmt: skip
        run = simulate_ai_first(scenario, keep_snapshots=True)
        assert run.max_lines_used <= scenario.ai_lines
        checked = 0
        for s, n in run.snapshots:
            if n:
                checked += 1
                assert s.in_progress + n <= s.max_lines
                assert s.free_agents - s.waiting_for_agent > 0
                assert not _coverage_broken(s, s.in_progress + n)
                assert not _pace_broken(s, s.in_progress + n)
        assert checked > 100
