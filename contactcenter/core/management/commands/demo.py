"""``python manage.py demo``: run the order-confirmation demo against the running stack.

The simulation itself (simulated customers on ARI, simulated agents) is real-time-plane code
in ``pbx.simulator.demo``; this command only hands it the stack's settings and prints where
to look afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactcenter.stack.components import instance_name, pbx_env
from contactcenter.stack.config import ConfigError
from contactcenter.stack.runner import Stack


class Command(BaseCommand):
    help = "Run the order-confirmation demo: simulated customers and agents on the live stack."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", type=int, default=9)
        parser.add_argument("--timeout", type=float, default=300)

    def handle(self, *args: Any, calls: int, timeout: float, **options: Any) -> None:
        try:
            stack = Stack.from_env()
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        status = stack.status()
        if not status["ok"]:
            down = ", ".join(name for name, check in status["components"].items() if not check["ok"])
            raise CommandError(f"the stack is not healthy ({down}); run `python manage.py stack up` first")
        config = stack.config
        name = instance_name(config)
        summary = config.var_dir / "demo" / "summary.json"
        env = {
            **pbx_env(config, stack.secrets),
            "CC_SIM_DIR": str(config.asterisk_root / "srv" / "contactcenter" / name / "spool" / "sim"),
            "CC_SIM_DIR_ASTERISK": f"/srv/contactcenter/{name}/spool/sim",
            "CC_SIM_AGENT_PORTS": f"{config.ports.sim_agent},{config.ports.sim_agent + 1}",
        }
        result = subprocess.run(
            [sys.executable, "-m", "pbx.simulator.demo", "--calls", str(calls), "--timeout", str(timeout),
             "--summary", str(summary)],
            cwd=config.repo_dir, env={**os.environ, **env},
        )  # fmt: skip
        web = config.web_url
        self.stdout.write(f"\nsummary:   {summary}")
        self.stdout.write(f"admin:     {web}/admin/  (calls under Ledger)")
        self.stdout.write(f"wallboard: {web}/wallboard/ (once the wallboard lands)")
        self.stdout.write("the stack keeps running: `python manage.py stack down` stops it")
        if result.returncode != 0:
            raise CommandError("the demo lost calls; see the summary")
