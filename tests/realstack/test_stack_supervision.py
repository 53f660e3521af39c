"""The stack's supervisor on a real stack (the demo's, shared with test_demo.py, in the default
speech mode): Redis SIGKILLed in the middle of
the short demo's calls and restarted by the supervisor alone, nothing lost; Asterisk SIGKILLed
likewise, its cut calls ended once (dropped if reached, else failed and retried), the campaign
finished without a reached customer dialled twice; the guard and the Celery worker SIGKILLed
and restarted, ``stack status`` counting the restarts and the back-off."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contactcenter.site.config import REPO_DIR, StackConfig
from ops.stack.supervisor import SUPERVISOR_STATE_FILE
from pbx.api import CallOutcome
from pbx.calls.reconcile import LOST_CAUSE
from tests.realstack.stack_env import DemoStack, run

pytestmark = pytest.mark.realstack


@pytest.fixture(scope="module")
def stack(demo_stack: DemoStack) -> dict[str, str]:
    return demo_stack.in_mode("in-process")


def run_dir(env: dict[str, str]) -> Path:
    return StackConfig.from_env(env).run_dir


def pid_of(env: dict[str, str], name: str) -> int:
    return int((run_dir(env) / f"{name}.pid").read_text().split()[0])


def supervision(env: dict[str, str], name: str) -> dict[str, Any]:
    return json.loads((run_dir(env) / SUPERVISOR_STATE_FILE).read_text())["processes"][name]


def wait_until(what: str, check: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:.0f} s"
        time.sleep(0.2)


def restarted(env: dict[str, str], name: str, old_pid: int) -> bool:
    try:
        return supervision(env, name)["state"] == "running" and pid_of(env, name) != old_pid
    except (FileNotFoundError, ValueError):  # between the death and the new pid file
        return False


def status(env: dict[str, str]) -> dict[str, Any]:
    result = run(env, sys.executable, "manage.py", "stack", "status", "--json", timeout=120)
    return json.loads(result.stdout)


def pbx_health(env: dict[str, str]) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(StackConfig.from_env(env).pbx_health_url, timeout=2) as response:
            return json.load(response)
    except OSError:
        return {}


def pbx_calls_in_progress(env: dict[str, str]) -> int:
    counts = pbx_health(env).get("calls") or {}
    return sum(n for state, n in counts.items() if state not in ("ended", "ai_calls_at_risk"))


def shell_json(env: dict[str, str], code: str) -> Any:
    """What ``code`` prints last (JSON), run by ``manage.py shell`` on the stack's database."""
    result = run(env, sys.executable, "manage.py", "shell", "-c", code)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def ledger_against_attempts(env: dict[str, str], call_ids: list[str]) -> dict[str, Any]:
    """The ledger's row of each call (pbx wrote it through Redis-backed events): its end and outcome."""
    code = ("import json; from contactcenter.ledger.models import Call; "
            f"print(json.dumps({{c.id: [c.ended_at is not None, c.outcome] for c in Call.objects.filter(id__in={call_ids!r})}}))")  # fmt: skip
    return shell_json(env, code)


def attempts_of_last_campaign(env: dict[str, str]) -> list[dict[str, Any]]:
    code = ("import json; from contactcenter.campaigns.models import CallAttempt, Campaign; "
            "c = Campaign.objects.order_by('-id').first(); "
            "print(json.dumps([{'call_id': a.call_id, 'lead': a.lead_id, 'status': a.status, 'outcome': a.outcome} "
            "for a in CallAttempt.objects.filter(campaign=c)]))")  # fmt: skip
    return shell_json(env, code)


def demo_with_a_kill(env: dict[str, str], name: str, after_restart: Callable[[], None], *demo_args: str) -> float:
    """The short demo, ``name`` SIGKILLed once two calls are in progress and restarted by the
    supervisor alone; the demo must end well. Returns how long ``name`` was down (s)."""
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--leads", "5", "--timeout", "240", "--browser-agent", "off",
         *demo_args],
        cwd=REPO_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_until("calls in progress", lambda: pbx_calls_in_progress(env) >= 2 or demo.poll() is not None, 180)
        assert demo.poll() is None, demo.stdout.read()[-3000:] if demo.stdout else ""
        old = pid_of(env, name)
        os.killpg(old, signal.SIGKILL)
        killed_at = time.monotonic()
        wait_until(f"{name} restarted by the supervisor", lambda: restarted(env, name, old), 30)
        back_after_s = time.monotonic() - killed_at
        after_restart()
        output, _ = demo.communicate(timeout=300)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 0, output[-3000:]
    assert back_after_s < 10, back_after_s
    return back_after_s


def test_redis_killed_mid_demo_is_restarted_and_nothing_is_lost(stack: dict[str, str]) -> None:
    back_after_s = demo_with_a_kill(stack, "redis", lambda: None)
    summary = json.loads((Path(stack["CC_VAR_DIR"]) / "demo" / "summary.json").read_text())
    # Every lead called once and its call ended (none lost, none left live), with a result.
    assert summary["campaign"]["leads"] == 5
    assert summary["calls"] == 5 and summary["lost"] == 0 and summary["still_live"] == 0, summary
    assert all(summary["outcomes"].values()), summary["outcomes"]
    # The calls carried on: each ended by the bot or answered by an agent, none failed over by a fault.
    assert summary["completed_by_bot"] + summary["answered_by_agent"] == 5, summary
    print(f"Redis back after {back_after_s:.1f} s; demo {summary['elapsed_s']} s: {summary['outcomes']}")
    # pbx's ledger has every call, ended, with the outcome the dialer gave the lead.
    attempts = attempts_of_last_campaign(stack)
    assert len(attempts) == 5
    wait_until("the ledger's rows", lambda: len(ledger_against_attempts(stack, [a["call_id"] for a in attempts])) == 5,
               15)  # fmt: skip
    ledger = ledger_against_attempts(stack, [a["call_id"] for a in attempts])
    assert {a["call_id"]: [True, a["outcome"]] for a in attempts} == ledger
    # Everything that talks to Redis is back: status is all ok, the supervisor counted the restart.
    report = status(stack)
    assert report["ok"], {k: v for k, v in report["components"].items() if not v["ok"]}
    assert report["components"]["redis"]["restarts"] == 1
    # pbx, the dialer, the worker (and the rest) reconnected by themselves: none had to be restarted.
    restarts = {name: report["components"][name]["restarts"] for name in ("asterisk", "web", "celery", "pbx",
                                                                          "guard", "dialer")}  # fmt: skip
    assert restarts == dict.fromkeys(restarts, 0), restarts


def campaign_record(env: dict[str, str]) -> dict[str, Any]:
    """The last campaign's leads and every attempt, and each attempt's ledger row with how many
    ``call.ended`` entries its timeline has."""
    code = ("import json; from django.db.models import Count, Q; "
            "from contactcenter.campaigns.models import CallAttempt, Campaign, Lead; "
            "from contactcenter.ledger.models import Call; "
            "c = Campaign.objects.order_by('-id').first(); "
            "attempts = [{'call_id': a.call_id, 'lead': a.lead_id, 'number': a.number, 'status': a.status, "
            "'outcome': a.outcome, 'cause': a.cause, 'answered': a.answered_at is not None} "
            "for a in CallAttempt.objects.filter(campaign=c).order_by('id')]; "
            "ledger = {r.id: [r.ended_at is not None, r.outcome, r.ends] for r in Call.objects.filter("
            "id__in=[a['call_id'] for a in attempts]).annotate(ends=Count('events', filter=Q(events__type='call.ended')))}; "
            "leads = {l.id: [l.status, l.outcome] for l in Lead.objects.filter(campaign=c)}; "
            "print(json.dumps({'attempts': attempts, 'ledger': ledger, 'leads': leads}))")  # fmt: skip
    return shell_json(env, code)


def test_asterisk_killed_mid_demo_is_restarted_and_the_campaign_finishes(stack: dict[str, str]) -> None:
    before = {name: c["restarts"] for name, c in status(stack)["components"].items() if "restarts" in c}
    lost_before = pbx_health(stack)["calls_lost"]
    def pbx_reconnected() -> None:
        # pbx reconnects by itself and ends the calls it held on the dead Asterisk.
        wait_until("pbx reconnected, its dead calls ended",
                   lambda: pbx_health(stack).get("ok") and pbx_health(stack)["calls_lost"] - lost_before >= 2, 30)

    # A call cut before it was answered is retried within the run (3 s); a reached customer never is.
    back_after_s = demo_with_a_kill(stack, "asterisk", pbx_reconnected, "--retry-failed-after-s", "3")
    summary = json.loads((Path(stack["CC_VAR_DIR"]) / "demo" / "summary.json").read_text())
    assert summary["lost"] == 0 and summary["still_live"] == 0, summary
    # pbx counts no call from before the restart: nothing in progress once the campaign is done.
    health = pbx_health(stack)
    assert pbx_calls_in_progress(stack) == 0, health["calls"]
    record = campaign_record(stack)
    attempts, ledger, leads = record["attempts"], record["ledger"], record["leads"]
    cut = [a for a in attempts if a["cause"] == LOST_CAUSE]
    assert len(cut) == health["calls_lost"] - lost_before >= 2, (cut, health["calls_lost"])
    # Cut by the restart: dropped if the customer was reached, failed if not.
    assert all(a["outcome"] == (CallOutcome.DROPPED if a["answered"] else CallOutcome.FAILED) for a in cut), cut
    # Every lead dialled (those not yet dialled at the kill too) and finished: none left dialing.
    assert len(leads) == 5 and all(status == "done" and outcome for status, outcome in leads.values()), leads
    by_lead: dict[int, list[dict[str, Any]]] = {}
    for a in attempts:
        by_lead.setdefault(a["lead"], []).append(a)
    assert sorted(by_lead) == sorted(int(lead) for lead in leads)
    for calls in by_lead.values():
        # A customer reached is never dialled again; a call cut before the answer was retried.
        assert all(not a["answered"] for a in calls[:-1]), calls
        assert calls[-1]["status"] == "ended" and calls[-1]["outcome"] == leads[str(calls[-1]["lead"])][1], calls
    # The ledger ended every call exactly once, with the outcome the dialer recorded.
    assert {a["call_id"]: [True, a["outcome"], 1] for a in attempts} == ledger
    report = status(stack)
    assert report["ok"], {k: v for k, v in report["components"].items() if not v["ok"]}
    after = {name: c["restarts"] for name, c in report["components"].items() if "restarts" in c}
    # The supervisor alone restarted Asterisk; pbx and the dialer reconnected without a restart.
    assert after == {**before, "asterisk": before["asterisk"] + 1}, (before, after)
    print(f"Asterisk back after {back_after_s:.1f} s; {len(cut)} call(s) cut; demo {summary['elapsed_s']} s: "
          f"{summary['outcomes']}, {summary['calls']} calls")


def test_the_guard_killed_is_restarted_and_status_counts_it(stack: dict[str, str]) -> None:
    old = pid_of(stack, "guard")
    os.killpg(old, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_until("the guard restarted", lambda: restarted(stack, "guard", old), 15)
    assert time.monotonic() - killed_at < 5
    guard = status(stack)["components"]["guard"]
    assert guard["ok"] and guard["restarts"] >= 1 and guard["supervision"] == "running", guard


def test_the_celery_worker_killed_is_restarted(stack: dict[str, str]) -> None:
    old = pid_of(stack, "celery")
    os.killpg(old, signal.SIGKILL)  # the worker and its pool
    wait_until("the worker restarted", lambda: restarted(stack, "celery", old), 60)
    celery = status(stack)["components"]["celery"]
    assert celery["ok"] and celery["restarts"] >= 1, celery


def test_a_guard_that_keeps_dying_waits_longer_each_time(stack: dict[str, str]) -> None:
    waits = []
    for _ in range(3):
        old = pid_of(stack, "guard")
        os.killpg(old, signal.SIGKILL)
        wait_until("the death noticed", lambda: supervision(stack, "guard")["state"] == "backing-off", 5)
        waits.append(supervision(stack, "guard")["backoff_s"])
        if len(waits) == 3:
            # While it waits, `stack status` says so.
            guard = status(stack)["components"]["guard"]
            assert guard["supervision"] in ("backing-off", "running") and guard["backoff_s"] == waits[-1], guard
        wait_until("the guard restarted", lambda: restarted(stack, "guard", old), 20)
    assert waits == sorted(waits) and waits[-1] >= 2 * waits[0] >= 2, waits
