"""``python manage.py demo``: an order-confirmation campaign on the running stack, end to end.

It creates and starts a campaign of demo leads (CSV import, AI-first dialling); the stack's
dialer paces and dials it through pbx like any campaign. The simulated customers and agent
softphones run in ``ops.simulator.demo`` (started and stopped here). At the end the summary
is printed and written to ``var/demo/summary.json``; the stack keeps running.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactcenter.site.config import ConfigError
from ops.demo import scenario
from ops.simulator.scripts import DEMO_LEADS
from ops.stack.components import instance_name, pbx_env
from ops.stack.runner import Stack


class Command(BaseCommand):
    help = "Run the order-confirmation demo campaign: simulated customers and agents on the live stack."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=len(DEMO_LEADS))
        parser.add_argument("--lines", type=int, default=4, help="the campaign's max concurrent AI calls")
        parser.add_argument("--timeout", type=float, default=480)
        parser.add_argument("--retry-failed-after-s", type=float, default=None,
                            help="call a lead whose call failed (never answered, e.g. cut by an Asterisk restart) "
                                 "again this soon, within the run (default: the campaign's usual hour)")
        parser.add_argument("--browser-agent", choices=("auto", "on", "off"), default="auto",
                            help="an agent at the console in chromium (auto: if chromium and playwright are here)")

    def handle(self, *args: Any, leads: int, lines: int, timeout: float, browser_agent: str,
               retry_failed_after_s: float | None, **options: Any) -> None:  # fmt: skip
        try:
            stack = Stack.from_env()
            demo_leads = scenario.demo_leads(leads)
        except (ConfigError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        status = stack.status()
        if not status["ok"]:
            down = ", ".join(name for name, check in status["components"].items() if not check["ok"])
            raise CommandError(f"the stack is not healthy ({down}); run `python manage.py stack up` first")
        config = stack.config
        work_dir = config.var_dir / "demo"
        work_dir.mkdir(parents=True, exist_ok=True)
        browser = self._start_browser_agent(stack, work_dir, browser_agent)
        try:
            people = self._start_people(stack, work_dir, leads)
        except BaseException:
            _stop(browser, 30)
            raise
        if browser is not None:
            self._wait_ready(browser, work_dir / "browser-agent.ready", 90, "the browser agent", required=False)
        started = time.monotonic()
        try:
            campaign = scenario.create_demo_campaign(demo_leads, max_lines=lines,
                                                     retry_failed_after_s=retry_failed_after_s)  # fmt: skip
            self.stdout.write(f"[demo] campaign {campaign.name!r}: {leads} leads, AI-first on {lines} lines")
            calls = scenario.wait_until_settled(campaign, demo_leads, timeout, say=self.stdout.write)
        finally:
            _stop(people, 20)
            _stop(browser, 30)
        scenario.stop_campaign(campaign)
        summary = scenario.summarise(campaign, calls, time.monotonic() - started)
        bot = status["components"]["pbx"].get("bot") or {}
        summary["speech"] = {"mode": bot.get("speech_mode"), "asr": bot.get("asr")}  # CC_SPEECH_MODE, as pbx runs it
        people_report = work_dir / "people.json"
        if people_report.exists():
            summary["agent_softphones"] = json.loads(people_report.read_text())["agent_calls"]
        browser_report = work_dir / "browser-agent.json"
        if browser is not None and browser_report.exists():
            summary["browser_agent"] = json.loads(browser_report.read_text())
        (work_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        self.stdout.write(json.dumps({k: v for k, v in summary.items() if k not in ("agent_softphones", "browser_agent")},
                                     indent=2))  # fmt: skip
        if "browser_agent" in summary:
            taken = [c for c in summary["browser_agent"]["calls"] if not c["error"]]
            self.stdout.write(f"browser agent ({summary['browser_agent']['user']} at /console/): {len(taken)} call(s) "
                              f"answered and disposed" + (f"; {summary['browser_agent']['error']}"
                                                          if summary["browser_agent"]["error"] else ""))  # fmt: skip
        web = config.web_url
        self.stdout.write(f"\nsummary:   {work_dir / 'summary.json'}")
        self.stdout.write(f"campaign:  {web}/admin/campaigns/campaign/{campaign.pk}/change/")
        self.stdout.write(f"admin:     {web}/admin/  (calls under Ledger)")
        self.stdout.write(f"wallboard: {web}/wallboard/")
        self.stdout.write(f"console:   {web}/console/")
        self.stdout.write(f"reports:   {web}/reports/   supervisor: {web}/supervisor/")
        self.stdout.write(f"metrics:   {web}/metrics  (admin login, or the token `manage.py metrics_token` prints)")
        self.stdout.write("the stack keeps running: `python manage.py stack down` stops it")
        if summary["lost"]:
            raise CommandError(f"{summary['lost']} call(s) not accounted for; see {work_dir / 'summary.json'}")

    def _start_people(self, stack: Stack, work_dir: Path, leads: int) -> subprocess.Popen:
        config = stack.config
        name = instance_name(config)
        env = {
            **os.environ, **pbx_env(config, stack.procs.asterisk.settings),
            "CC_SIM_DIR": str(config.asterisk_root / "srv" / "contactcenter" / name / "spool" / "sim"),
            "CC_SIM_DIR_ASTERISK": f"/srv/contactcenter/{name}/spool/sim",
            "CC_SIM_AGENT_PORTS": f"{config.ports.sim_agent},{config.ports.sim_agent + 1}",
        }  # fmt: skip
        ready = work_dir / "people.ready"
        ready.unlink(missing_ok=True)
        proc = subprocess.Popen(
            [sys.executable, "-m", "ops.simulator.demo", "--leads", str(leads), "--work-dir", str(work_dir),
             "--ready-file", str(ready)],
            cwd=config.repo_dir, env=env,
        )  # fmt: skip
        # The customers' lines are synthesised first.
        self._wait_ready(proc, ready, 120, "the simulated people", required=True)
        return proc

    def _start_browser_agent(self, stack: Stack, work_dir: Path, mode: str) -> subprocess.Popen | None:
        from django.conf import settings
        from django.core.management import call_command

        from ops.simulator import browser_agent

        why_not = browser_agent.available()
        if mode == "off" or (why_not and mode == "auto"):
            if why_not:
                self.stdout.write(f"[demo] no browser agent: {why_not}")
            return None
        if why_not:
            raise CommandError(f"--browser-agent on: {why_not}")
        call_command("console_agent", stdout=io.StringIO())  # the log-in it uses (once)
        ready = work_dir / "browser-agent.ready"
        ready.unlink(missing_ok=True)
        (work_dir / "browser-agent.json").unlink(missing_ok=True)
        return subprocess.Popen(
            [sys.executable, "-m", "ops.simulator.browser_agent", "--url", stack.config.web_url, "--user", "agent",
             "--password-file", str(settings.VAR_DIR / "console-agent-password.txt"),
             "--report", str(work_dir / "browser-agent.json"), "--ready-file", str(ready),
             "--screenshot", str(work_dir / "browser-agent-screen-pop.png")],
            cwd=stack.config.repo_dir,
        )  # fmt: skip

    def _wait_ready(self, proc: subprocess.Popen, ready: Path, timeout_s: float, what: str, required: bool) -> None:
        deadline = time.monotonic() + timeout_s
        while not ready.exists():
            if proc.poll() is not None:
                problem = f"{what} exited ({proc.returncode}) before the campaign started"
            elif time.monotonic() > deadline:
                problem = f"{what} did not get ready in {timeout_s:.0f} s"
            else:
                time.sleep(0.3)
                continue
            _stop(proc, 10)
            if required:
                raise CommandError(problem)
            self.stdout.write(f"[demo] {problem}; the softphones take every call")
            return


def _stop(proc: subprocess.Popen | None, wait_s: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
