"""An unheard caller (no speech assessment in time) is VoiceWatch's ``monitor_blind``."""

from __future__ import annotations

import pytest

from voicewatch import CallMonitor, EventError, Policy, PolicyError


def test_an_unheard_caller_escalates_to_general_by_default() -> None:
    decision = CallMonitor().observe({"type": "unheard", "waited_s": 2.2, "detail": "no worker answered"})
    assert decision.escalate and decision.reason == "monitor_blind" and decision.queue == "general"
    assert "2.2 s" in decision.explanation and "no worker answered" in decision.explanation


def test_the_policy_routes_or_disables_monitor_blind_like_any_reason() -> None:
    routed = CallMonitor({"reasons": {"monitor_blind": {"queue": "care"}}})
    assert routed.observe({"type": "unheard", "waited_s": 2.0}).queue == "care"
    off = CallMonitor({"reasons": {"monitor_blind": {"escalate": False, "queue": None}}})
    assert not off.observe({"type": "unheard", "waited_s": 2.0}).escalate
    with pytest.raises(PolicyError, match="queue is required"):
        Policy.from_dict({"reasons": {"monitor_blind": {"escalate": True, "queue": None}}})


def test_unheard_after_an_escalation_restates_it() -> None:
    monitor = CallMonitor()
    first = monitor.observe({"type": "utterance", "text": "I want to talk to a real person"})
    assert first.escalate and first.reason == "human_request"
    later = monitor.observe({"type": "unheard", "waited_s": 2.0})
    assert later.sticky and later.reason == "human_request"


def test_a_malformed_unheard_event_names_its_field() -> None:
    with pytest.raises(EventError, match="waited_s"):
        CallMonitor().observe({"type": "unheard", "waited_s": -1})
