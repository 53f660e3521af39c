"""``manage.py asterisk "CLI COMMAND"``: the stack's Asterisk answers, or one clear error."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contactcenter.site.config import REPO_DIR
from ops.management.commands import asterisk as asterisk_command
from ops.management.commands.asterisk import run_cli
from ops.stack.asterisk import AsteriskInstance


def test_a_stack_that_is_not_running_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CC_VAR_DIR", str(tmp_path / "var"))  # a stack that was never started
    with pytest.raises(CommandError, match=r"the stack's Asterisk \(instance stack-\w+\) is not running; "
                                           r"start it with `python manage.py stack up`"):  # fmt: skip
        call_command("asterisk", "queue show support")


def test_the_command_exits_non_zero_when_asterisk_is_down(tmp_path: Path) -> None:
    env = {**os.environ, "CC_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "manage.py", "asterisk", "pjsip", "show", "endpoints"], cwd=REPO_DIR,
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert "is not running; start it with `python manage.py stack up`" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.realstack
def test_runs_a_cli_command_on_a_running_asterisk(asterisk_server: AsteriskInstance) -> None:
    queues = run_cli(asterisk_server, "queue show support")
    assert queues.startswith("support has ") and "agent1" in queues, queues
    endpoints = run_cli(asterisk_server, "pjsip show endpoints")
    assert "Endpoint:  agent1" in endpoints and "Endpoint:  webagent1" in endpoints, endpoints


@pytest.mark.realstack
def test_the_command_prints_asterisk_s_answer(asterisk_server: AsteriskInstance,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asterisk_command, "stack_asterisk", lambda: asterisk_server)
    out = io.StringIO()
    call_command("asterisk", "queue", "show", "web", stdout=out)  # words, as a shell passes them unquoted
    printed = out.getvalue()
    assert printed.startswith("web has ") and "webagent1" in printed and printed.endswith("\n"), printed
