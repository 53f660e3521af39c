"""``python manage.py asterisk "CLI COMMAND"``: the operator's window on the stack's Asterisk.

Like ``asterisk -rx`` on a packaged Asterisk: the stack's runs from a chroot with its own
configuration and control socket, so the plain ``asterisk -rx`` on the host cannot reach it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactcenter.site.config import ConfigError
from ops.stack.asterisk import AsteriskInstance
from ops.stack.runner import Stack


def stack_asterisk() -> AsteriskInstance:
    return Stack.from_env().procs.asterisk


def run_cli(asterisk: AsteriskInstance, command: str) -> str:
    """``command``'s output from the running ``asterisk``; ConfigError (one line) if it is not running."""
    if not asterisk.process.running():
        raise ConfigError(
            f"the stack's Asterisk (instance {asterisk.settings.instance}) is not running; "
            "start it with `python manage.py stack up`"
        )
    return asterisk.cli(command)


class Command(BaseCommand):
    help = 'Run an Asterisk CLI command on the stack\'s Asterisk and print its output, e.g. "queue show support".'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="+", metavar="CLI_COMMAND",
                            help='one quoted command ("pjsip show endpoints") or its words')  # fmt: skip

    def handle(self, *args: Any, words: list[str], **options: Any) -> None:
        try:
            output = run_cli(stack_asterisk(), " ".join(words))
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(output, ending="" if output.endswith("\n") else "\n")
