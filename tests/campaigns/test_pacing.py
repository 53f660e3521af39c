"""The pacer on a simulated clock: AI-first never exceeds AI lines nor lets expected escalations
exceed free agents; predictive stays under its abandon cap over 10,000 calls."""

from __future__ import annotations

import itertools
import random

import pytest

from contactcenter.campaigns.pacing import Bound, DialMode, RunningRate, Snapshot, decide, expected_excess
from tests.campaigns.sim import simulate_ai_first, simulate_human_dialer


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
            # And it uses what it may: one more call would break a limit.
            one_more = after + 1
            assert (one_more > s.max_lines or (s.site_lines_free is not None and d.calls + 1 > s.site_lines_free)
                    or s.escalation_rate * one_more > s.free_agents - s.waiting_for_agent)  # fmt: skip


def test_ai_first_reports_when_humans_are_the_limit() -> None:
    d = decide(Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=30, free_agents=2, escalation_rate=0.2))
    assert (d.calls, d.bound, d.human_bound) == (10, Bound.HUMANS, True)
    assert "human-bound" in d.explanation and "2 free agent" in d.explanation
    d = decide(Snapshot(DialMode.AI_FIRST, in_progress=0, max_lines=5, free_agents=2, escalation_rate=0.2))
    assert (d.calls, d.bound, d.human_bound) == (5, Bound.LINES, False)
    # Nobody free: an AI-first campaign waits rather than dial callers it could not hand over.
    assert decide(Snapshot(DialMode.AI_FIRST, 0, 30, free_agents=0, escalation_rate=0.05)).calls == 0


def test_ai_first_simulation_never_breaks_a_limit() -> None:
    for agents, rate in itertools.product((1, 3, 8), (0.05, 0.2, 0.5)):
        result = simulate_ai_first(calls=1500, max_lines=25, agents=agents, true_rate=rate)
        assert result.violations == []
        assert result.max_lines_used <= 25
        assert result.dialled == 1500  # and it finishes


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
