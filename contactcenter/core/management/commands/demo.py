"""``python manage.py demo``: an order-confirmation campaign on the running stack, end to end.

It creates and starts a campaign of demo leads (CSV import, AI-first dialling); the stack's
dialer paces and dials it through pbx like any campaign. The simulated customers and agent
softphones run in ``pbx.simulator.demo`` (started and stopped here). At the end the summary
is printed and written to ``var/demo/summary.json``; the stack keeps running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactcenter.core import demo
from contactcenter.stack.components import instance_name, pbx_env
from contactcenter.stack.config import ConfigError
from contactcenter.stack.runner import Stack
from pbx.simulator.scripts import DEMO_LEADS


class Command(BaseCommand):
    help = "Run the order-confirmation demo campaign: simulated customers and agents on the live stack."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=len(DEMO_LEADS))
        parser.add_argument("--lines", type=int, default=4, help="the campaign's max concurrent AI calls")
        parser.add_argument("--timeout", type=float, default=480)

    def handle(self, *args: Any, leads: int, lines: int, timeout: float, **options: Any) -> None:
        try:
            stack = Stack.from_env()
            demo_leads = demo.demo_leads(leads)
        except (ConfigError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        status = stack.status()
        if not status["ok"]:
            down = ", ".join(name for name, check in status["components"].items() if not check["ok"])
            raise CommandError(f"the stack is not healthy ({down}); run `python manage.py stack up` first")
        config = stack.config
        work_dir = config.var_dir / "demo"
        work_dir.mkdir(parents=True, exist_ok=True)
        people = self._start_people(stack, work_dir, leads)
        started = time.monotonic()
        try:
            campaign = demo.create_demo_campaign(demo_leads, max_lines=lines)
            self.stdout.write(f"[demo] campaign {campaign.name!r}: {leads} leads, AI-first on {lines} lines")
            calls = demo.wait_until_settled(campaign, demo_leads, timeout, say=self.stdout.write)
        finally:
            people.terminate()
            try:
                people.wait(20)
            except subprocess.TimeoutExpired:
                people.kill()
        demo.stop_campaign(campaign)
        summary = demo.summarise(campaign, calls, time.monotonic() - started)
        people_report = work_dir / "people.json"
        if people_report.exists():
            summary["agent_softphones"] = json.loads(people_report.read_text())["agent_calls"]
        (work_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        self.stdout.write(json.dumps({k: v for k, v in summary.items() if k != "agent_softphones"}, indent=2))
        web = config.web_url
        self.stdout.write(f"\nsummary:   {work_dir / 'summary.json'}")
        self.stdout.write(f"campaign:  {web}/admin/campaigns/campaign/{campaign.pk}/change/")
        self.stdout.write(f"admin:     {web}/admin/  (calls under Ledger)")
        self.stdout.write(f"wallboard: {web}/wallboard/")
        self.stdout.write(f"console:   {web}/console/")
        self.stdout.write("the stack keeps running: `python manage.py stack down` stops it")
        if summary["lost"]:
            raise CommandError(f"{summary['lost']} call(s) not accounted for; see {work_dir / 'summary.json'}")

    def _start_people(self, stack: Stack, work_dir: Path, leads: int) -> subprocess.Popen:
        config = stack.config
        name = instance_name(config)
        env = {
            **os.environ, **pbx_env(config, stack.secrets),
            "CC_SIM_DIR": str(config.asterisk_root / "srv" / "contactcenter" / name / "spool" / "sim"),
            "CC_SIM_DIR_ASTERISK": f"/srv/contactcenter/{name}/spool/sim",
            "CC_SIM_AGENT_PORTS": f"{config.ports.sim_agent},{config.ports.sim_agent + 1}",
        }  # fmt: skip
        ready = work_dir / "people.ready"
        ready.unlink(missing_ok=True)
        proc = subprocess.Popen(
            [sys.executable, "-m", "pbx.simulator.demo", "--leads", str(leads), "--work-dir", str(work_dir),
             "--ready-file", str(ready)],
            cwd=config.repo_dir, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 120  # the customers' lines are synthesised first
        while not ready.exists():
            if proc.poll() is not None:
                raise CommandError(f"the simulated people exited ({proc.returncode}) before the campaign started")
            if time.monotonic() > deadline:
                proc.terminate()
                raise CommandError("the simulated people did not get ready in 120 s")
            time.sleep(0.3)
        return proc
