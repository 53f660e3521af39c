"""``stack up|down|status``: start the stack's processes in order, each ready before the next."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from contactcenter.site.config import ConfigError, StackConfig
from contactcenter.site.secrets import Secrets, ensure_secrets
from ops.stack.checks import check_celery, check_dialer, check_pbx, check_web, run_checks
from ops.stack.components import StackProcesses, build_processes, ports_to_check
from ops.stack.processes import port_in_use, wait_for
from ops.stack.supervisor import SUPERVISOR_STATE_FILE, supervision_report
from ops.stack.telephony import site_telephony

Say = Callable[[str], None]


@dataclass
class Stack:
    config: StackConfig
    secrets: Secrets
    procs: StackProcesses

    @classmethod
    def from_env(cls) -> Stack:
        config = StackConfig.from_env()
        secrets = ensure_secrets(config.secrets_file)
        return cls(config, secrets, build_processes(config, secrets, None))

    def _read_telephony(self) -> None:
        """The site's agents, queues and trunks from the database, for Asterisk's config: read
        when it is rendered, so a stack only asked or stopped (or refused for a busy port)
        needs no database."""
        asterisk = self.procs.asterisk
        if asterisk.settings.telephony is None:
            asterisk.settings = replace(asterisk.settings, telephony=site_telephony())

    def init(self) -> None:
        """Render Asterisk's config (also done by ``up``); safe to repeat."""
        self._read_telephony()
        self.procs.asterisk.write_config()

    def _check_ports_free(self, owner: str) -> None:
        for use in ports_to_check(self.config):
            if use.owner == owner and port_in_use(use.port, udp=use.udp):
                raise ConfigError(
                    f"port {use.port} for {use.what} ({use.variable}) is already in use by another program; "
                    f"stop it or set {use.variable} to a free port"
                )

    def start_steps(self) -> dict[str, Callable[[], None]]:
        """Each process's start, waiting until it is ready, in start order: ``up`` and the
        supervisor's restarts (:mod:`ops.stack.supervisor`) both start a process this way."""
        return {
            "redis": self.procs.redis.start,
            "asterisk": self._start_asterisk,
            "web": self._start_web,
            "celery": lambda: self._start_python(self.procs.celery, lambda: check_celery(self.config, 2)["ok"]),
            "pbx": self._start_pbx,
            "guard": lambda: self._start_python(self.procs.guard, None),
            "dialer": lambda: self._start_python(self.procs.dialer, lambda: check_dialer(self.config, self.procs)["ok"]),
        }

    def start_component(self, name: str) -> None:
        """Start ``name`` (a no-op if it runs) and wait until it is ready; ConfigError if not."""
        if not dict(self.procs.in_start_order())[name].running():
            self._check_ports_free(name)
        self.config.metrics_dir.mkdir(parents=True, exist_ok=True)  # a process writing metrics needs it
        self.start_steps()[name]()

    def up(self, say: Say = print) -> None:
        # The supervisor stops first: it must not restart what this stops (a speech mode change),
        # nor start a process this is starting. It starts last, watching the whole stack.
        self.procs.supervisor.stop()
        self._stop_if_speech_mode_changed(say)
        self._prepare_metrics_dir()
        if self.procs.asterisk.process.running():
            # Already up: apply the current configuration (agents, queues) without dropping calls.
            self._read_telephony()
            self.procs.asterisk.write_config()
            self.procs.asterisk.cli("core reload")
        for name in self.start_steps():
            t0 = time.perf_counter()
            try:
                self.start_component(name)
            except ConfigError:
                say(f"[stack] {name:<9} FAILED")
                raise
            say(f"[stack] {name:<9} up   {time.perf_counter() - t0:5.1f}s")
        self.procs.supervisor.start()
        say("[stack] supervisor watching (restarts a process that dies)")

    def _prepare_metrics_dir(self) -> None:
        """Emptied when no process that writes it runs (a fresh start): a file left by an earlier
        run's process whose pid a new one reuses would carry its values over. Kept while one
        runs: the counters of a process restarted meanwhile must keep counting in the sum."""
        folder = self.config.metrics_dir
        writers = (self.procs.web, self.procs.celery, self.procs.pbx, self.procs.guard, self.procs.dialer)
        if not any(proc.running() for proc in writers):
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def _stop_if_speech_mode_changed(self, say: Say) -> None:
        """pbx and its worker running in the other speech mode than CC_SPEECH_MODE now asks: both
        restart (the calls pbx holds fail over to the queue, as on any pbx restart)."""
        from workers.settings import SpeechSettings

        if not self.procs.pbx.running():
            return
        wanted = SpeechSettings.from_env().speech_mode
        running = (check_pbx(self.config).get("bot") or {}).get("speech_mode")
        if running is not None and running != wanted:
            say(f"[stack] speech mode {running} -> {wanted}: restarting pbx and celery")
            self.procs.pbx.stop()
            self.procs.celery.stop()

    def _start_asterisk(self) -> None:
        if not self.procs.asterisk.process.running():
            # Read again: the supervisor's restart, long after its start, renders today's agents.
            self.procs.asterisk.settings = replace(self.procs.asterisk.settings, telephony=None)
        self._read_telephony()
        self.procs.asterisk.start()

    def _start_pbx(self) -> None:
        # The snapshot pbx applies, fresh from the database: one saved while Redis was down (or
        # an older one Redis kept) must not replace what Asterisk was just rendered with.
        import redis

        from contactcenter.telephony.publisher import publish_pbx_config  # needs Django set up (manage.py)

        client = redis.Redis.from_url(self.config.redis_url, socket_timeout=2, socket_connect_timeout=2)
        if publish_pbx_config(client) is None:
            raise ConfigError("the PBX configuration could not be published to Redis (see the log above)")
        self._start_python(self.procs.pbx, lambda: check_pbx(self.config)["ok"])

    def _start_web(self) -> None:
        if not self.procs.web.running():
            self._collect_static()  # what the web app serves comes from this var dir
        self._start_python(self.procs.web, lambda: check_web(self.config)["ok"])

    def _collect_static(self) -> None:
        """The admin's CSS, Swagger UI, the console's scripts and JsSIP into ``var/static``, with
        the web process's own settings, so a stack on any var dir serves them (WhiteNoise)."""
        spec = self.procs.web.spec
        done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                              cwd=spec.cwd, env={**os.environ, **spec.env}, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        if done.returncode != 0:
            raise ConfigError(f"collecting static files failed: {done.stderr.strip()[-800:]}")

    def _start_python(self, proc: Any, ready: Callable[[], bool] | None) -> None:
        proc.start()
        if ready is None:
            return

        def safe_ready() -> bool:
            try:
                return ready()
            except Exception:  # not up yet: connection refused, timeout, half-started server
                return False

        try:
            wait_for(safe_ready, 60, proc.name, alive=proc.running)
        except ConfigError as exc:
            raise ConfigError(f"{exc}; last lines of {proc.spec.log_file}:\n{proc.log_tail()}") from None

    def down(self, say: Say = print) -> list[str]:
        stopped = []
        # The supervisor first: what an operator stops stays stopped.
        for name, proc in [("supervisor", self.procs.supervisor), *reversed(self.procs.in_start_order())]:
            if proc.stop():
                stopped.append(name)
                say(f"[stack] {name:<9} stopped")
        return stopped

    def status(self) -> dict[str, Any]:
        components = run_checks(self.config, self.secrets, self.procs)
        supervisor = supervision_report(self.procs.supervisor, self.config.run_dir / SUPERVISOR_STATE_FILE, components)
        return {"ok": all(c["ok"] for c in components.values()) and supervisor["ok"], "components": components,
                "supervisor": supervisor}  # fmt: skip
