"""A short version of `make demo` on its own stack: a campaign of five leads dialled by the
stack's dialer; every call accounted for, the escalating customers answered by an agent,
the routine ones completed by the bot. In each speech mode: pbx recognising speech itself, and
the stack's Celery worker doing it (CC_SPEECH_MODE=celery), with the same outcomes.

Both on the demo's stack (``demo_stack`` in tests/realstack/conftest.py), Celery first: the
stack is then left in the default mode, which test_stack_supervision.py asks for next."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.realstack.stack_env import DemoStack
from tests.realstack.stack_env import run as _run

pytestmark = pytest.mark.realstack


@pytest.fixture(params=["celery", "in-process"])
def demo_env(demo_stack: DemoStack, request: pytest.FixtureRequest) -> dict[str, str]:
    return demo_stack.in_mode(request.param)


def test_short_demo_accounts_for_every_call(demo_env: dict[str, str]) -> None:
    py = sys.executable
    demo = _run(demo_env, py, "manage.py", "demo", "--leads", "5", "--timeout", "240", "--browser-agent", "on",
                timeout=400)  # fmt: skip
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    summary = json.loads((Path(demo_env["CC_VAR_DIR"]) / "demo" / "summary.json").read_text())
    # A campaign of 5 imported leads, dialled by the stack's dialer: each lead called once, each call ended.
    assert summary["campaign"]["leads"] == 5
    assert summary["speech"]["mode"] == demo_env["CC_SPEECH_MODE"], summary["speech"]
    assert summary["calls"] == 5 and summary["lost"] == 0 and summary["still_live"] == 0
    assert summary["expected_escalations_missed"] == [] and summary["routine_escalated"] == []
    assert summary["completed_by_bot"] == 3
    assert summary["escalated"] == 2 and summary["answered_by_agent"] == 2
    assert all(e["decision_to_queue_s"] is not None and e["decision_to_queue_s"] < 10 for e in summary["escalations"])
    # The agents got the VoiceWatch reason in the INVITE of each call they answered: the browser
    # agent at the console (offered each call first) on its screen-pop, the softphones the rest.
    reasons = sorted(e["reason"] for e in summary["escalations"])
    browser = summary["browser_agent"]
    assert browser["logged_in"] and browser["registered"] and browser["error"] == ""
    in_browser = [c for c in browser["calls"] if not c["error"]]
    assert len(in_browser) >= 1 and all(c["answered_at"] and c["disposition"] == "resolved" for c in in_browser)
    assert sorted([c["reason"] for c in summary["agent_softphones"]] + [c["reason"] for c in in_browser]) == reasons
    by_browser = {c["call_id"] for c in in_browser}
    assert {e["agent"] for e in summary["escalations"] if e["call_id"] in by_browser} == {"webagent1"}
