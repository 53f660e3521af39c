"""``python manage.py stack init|up|down|status [--json]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactcenter.site.config import ConfigError
from ops.stack import supervisor
from ops.stack.runner import Stack


class Command(BaseCommand):
    help = "Start, stop or check the whole stack: Asterisk, Redis, web, Celery worker and pbx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "up", "down", "status", "supervise"],
                            help="supervise: the supervisor `up` starts (restarts a process that dies)")
        parser.add_argument("--json", action="store_true", help="status: print one JSON object")

    def handle(self, *args: Any, action: str, json: bool = False, **options: Any) -> None:
        try:
            stack = Stack.from_env()
            if action == "init":
                stack.init()
                self.stdout.write(f"Asterisk config written for instance {stack.procs.asterisk.settings.instance}")
            elif action == "up":
                stack.up(say=self.stdout.write)
                self._print_urls(stack)
            elif action == "supervise":
                supervisor.run(stack)
            elif action == "down":
                if not stack.down(say=self.stdout.write):
                    self.stdout.write("[stack] nothing was running")
            else:
                self._status(stack, as_json=json)
        except ConfigError as exc:
            # One clear line, no traceback: these are problems the user can fix.
            raise CommandError(str(exc)) from None

    def _status(self, stack: Stack, as_json: bool) -> None:
        report = stack.status()
        if as_json:
            self.stdout.write(_json_dumps(report))
        else:
            for name, check in report["components"].items():
                detail = check.get("error") or ", ".join(
                    f"{k}={v}" for k, v in check.items() if k not in {"ok", "ari", "ami"}
                )
                self.stdout.write(f"{name:<9} {'ok ' if check['ok'] else 'DOWN'}  {detail}")
            watch = report["supervisor"]
            detail = watch.get("error") or f"pid={watch['pid']}"
            self.stdout.write(f"{'supervisor':<9} {'ok ' if watch['ok'] else 'DOWN'}  {detail}")
        if not report["ok"]:
            raise CommandError("some components are down") if not as_json else SystemExit(1)

    def _print_urls(self, stack: Stack) -> None:
        web = stack.config.web_url
        self.stdout.write(f"[stack] admin:  {web}/admin/")
        self.stdout.write(f"[stack] logs:   {stack.config.log_dir}/")


def _json_dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=None, sort_keys=False, default=str)
