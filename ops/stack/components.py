"""The stack's processes, built from the configuration and the installation's secrets."""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings as django_settings

from asterisk_config.render import AsteriskSettings
from contactcenter.site.config import ConfigError, StackConfig
from contactcenter.site.secrets import Secrets
from ops.stack.asterisk import AsteriskInstance
from ops.stack.celery_worker import StackWorker, stack_worker, worker_args
from ops.stack.processes import ManagedProcess, ProcessSpec
from ops.stack.redis_server import RedisServer
from pbx.api import Telephony
from workers.metrics import MULTIPROC_DIR_VARIABLE, mark_dead

# The dialer runs below the live-call processes' CPU priority: when a burst of calls keeps the
# cores busy, its bookkeeping (pacing, records, webhooks) waits a few milliseconds, Asterisk and
# pbx setting up the calls do not.
DIALER_NICE = 10


def instance_name(config: StackConfig) -> str:
    # Clones on one machine share the Asterisk root: each var/ gets its own instance.
    return "stack-" + hashlib.sha256(str(config.var_dir).encode()).hexdigest()[:8]


def asterisk_settings(config: StackConfig, secrets: Secrets, telephony: Telephony | None) -> AsteriskSettings:
    name = instance_name(config)
    ports = config.ports
    return AsteriskSettings(
        instance=name,
        instance_dir=f"/srv/contactcenter/{name}",
        http_port=ports.asterisk_http,
        ami_port=ports.ami,
        sip_port=ports.sip,
        rtp_start=ports.rtp_start,
        rtp_end=ports.rtp_end,
        web_port=ports.web,
        ari_app=config.ari_app,
        ari_user=config.ari_user,
        ari_password=secrets.ari_password,
        ami_user=config.ami_user,
        ami_secret=secrets.ami_secret,
        telephony=telephony,
        metrics_password=secrets.asterisk_metrics_password,
    )


def pbx_wiring(settings: AsteriskSettings, asterisk_root: Path, redis_url: str, health_port: int,
               failsafe_queue: str | None = None) -> dict[str, str]:  # fmt: skip
    """pbx's ``PBX_*`` links to one Asterisk instance and Redis: ARI, AMI, and the folder for
    files Asterisk plays (written by pbx on the host, read by Asterisk inside its chroot)."""
    return {
        "PBX_ARI_URL": f"http://127.0.0.1:{settings.http_port}/ari",
        "PBX_ARI_USER": settings.ari_user,
        "PBX_ARI_PASSWORD": settings.ari_password,
        "PBX_ARI_APP": settings.ari_app,
        "PBX_AMI_PORT": str(settings.ami_port),
        "PBX_AMI_USER": settings.ami_user,
        "PBX_AMI_SECRET": settings.ami_secret,
        "PBX_REDIS_URL": redis_url,
        "PBX_HEALTH_PORT": str(health_port),
        "PBX_MEDIA_DIR": str(asterisk_root / settings.instance_dir.lstrip("/") / "spool" / "media"),
        "PBX_MEDIA_DIR_ASTERISK": f"{settings.instance_dir}/spool/media",
        **({"PBX_FAILSAFE_QUEUE": failsafe_queue or settings.telephony.failsafe_queue}
           if failsafe_queue or settings.telephony else {}),
    }


def pbx_env(config: StackConfig, settings: AsteriskSettings) -> dict[str, str]:
    return {
        **pbx_wiring(settings, config.asterisk_root, config.redis_url, config.ports.pbx_health),
        # The queue the dialplan's fail-safe uses too (rendered from the same setting).
        "PBX_FAILSAFE_QUEUE": django_settings.CC_FAILSAFE_QUEUE,
        # The stack's pbx keeps its Asterisk what Django publishes; a test's or a benchmark's
        # pbx (pbx_wiring alone) leaves its Asterisk as the test rendered it.
        "PBX_ASTERISK_ETC_DIR": str(config.asterisk_root / settings.instance_dir.lstrip("/") / "etc"),
        # Callers reach us over the telephone network at 8 kHz: ulaw carries all of it at half the
        # bytes of slin16, and 8 kHz is what Asterisk's talk detection (used by the demo) handles.
        "PBX_MEDIA_FORMAT": os.environ.get("PBX_MEDIA_FORMAT", "ulaw"),
        # English speech: Moonshine base-en (moonshine-cpp's weights); whisper stays selectable.
        "CC_ASR_ENGINE": os.environ.get("CC_ASR_ENGINE", "moonshine"),
        "CC_TTS_CACHE_DIR": os.environ.get("CC_TTS_CACHE_DIR", str(config.cache_dir / "tts")),
    }


def speech_worker() -> StackWorker:
    """The stack's worker for the speech mode its pbx runs in (both read CC_SPEECH_MODE)."""
    from workers.settings import SettingsError, SpeechSettings, WorkerSettings

    try:
        return stack_worker(SpeechSettings.from_env().speech_mode, WorkerSettings.from_env().concurrency)
    except SettingsError as exc:  # the stack stops before starting anything, naming the variable
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True)
class StackProcesses:
    redis: RedisServer
    asterisk: AsteriskInstance
    web: ManagedProcess
    celery: ManagedProcess
    pbx: ManagedProcess
    guard: ManagedProcess
    dialer: ManagedProcess
    supervisor: ManagedProcess  # started last, stopped first; restarts the others (ops.stack.supervisor)

    def in_start_order(self) -> list[tuple[str, ManagedProcess]]:
        return [
            ("redis", self.redis.process),
            ("asterisk", self.asterisk.process),
            ("web", self.web),
            ("celery", self.celery),
            ("pbx", self.pbx),
            ("guard", self.guard),
            ("dialer", self.dialer),
        ]


def build_processes(config: StackConfig, secrets: Secrets, telephony: Telephony | None) -> StackProcesses:
    """``telephony``: the agents, queues and trunks Asterisk is rendered with; None until someone
    sets them (the runner reads the site's from Django's database only when it renders)."""
    run, log = config.run_dir, config.log_dir
    asterisk = asterisk_settings(config, secrets, telephony)
    worker = speech_worker()
    python = sys.executable
    common_env = {"CC_VAR_DIR": str(config.var_dir), "CC_REDIS_URL": config.redis_url, "PYTHONUNBUFFERED": "1",
                  MULTIPROC_DIR_VARIABLE: str(config.metrics_dir)}  # fmt: skip

    def metrics_of_dead(pid: int) -> None:
        mark_dead(pid, str(config.metrics_dir))

    def python_process(name: str, *args: str, env: dict[str, str] | None = None, nice: int = 0) -> ManagedProcess:
        argv = ("nice", "-n", str(nice), python, *args) if nice else (python, *args)  # nice execs: same pid
        return ManagedProcess(
            ProcessSpec(
                name=name, argv=argv, log_file=log / f"{name}.log", pid_file=run / f"{name}.pid",
                cwd=config.repo_dir, env={**common_env, **(env or {})},
            ),
            on_exit=metrics_of_dead,
        )  # fmt: skip

    return StackProcesses(
        redis=RedisServer(config.ports.redis, config.var_dir / "redis", log / "redis.log", run / "redis.pid",
                          password=secrets.redis_password),
        asterisk=AsteriskInstance(
            config.asterisk_root, asterisk, log / "asterisk.log", run / "asterisk.pid"
        ),
        web=python_process(
            "web", "-m", "uvicorn", "contactcenter.asgi:application",
            "--host", "127.0.0.1", "--port", str(config.ports.web), "--log-level", "info",
        ),
        celery=python_process("celery", *worker_args(instance_name(config), worker.concurrency, worker.queues)),
        pbx=python_process("pbx", "-m", "pbx", env=pbx_env(config, asterisk)),
        guard=python_process("guard", "-m", "pbx.guard", env=pbx_env(config, asterisk)),
        # One per site (it holds a Redis lock): paces running campaigns, applies pbx's events to leads.
        dialer=python_process("dialer", "manage.py", "dialer", nice=DIALER_NICE),
        supervisor=python_process("supervisor", "manage.py", "stack", "supervise"),
    )  # fmt: skip


@dataclass(frozen=True)
class PortUse:
    what: str
    variable: str  # the environment variable that sets it
    port: int
    udp: bool
    owner: str  # the process that binds it


def ports_to_check(config: StackConfig) -> list[PortUse]:
    p = config.ports
    return [
        PortUse("Redis", "CC_REDIS_PORT", p.redis, False, "redis"),
        PortUse("Asterisk HTTP/ARI", "CC_ASTERISK_HTTP_PORT", p.asterisk_http, False, "asterisk"),
        PortUse("Asterisk AMI", "CC_AMI_PORT", p.ami, False, "asterisk"),
        PortUse("Asterisk SIP", "CC_SIP_PORT", p.sip, True, "asterisk"),
        PortUse("web", "CC_WEB_PORT", p.web, False, "web"),
        PortUse("pbx health", "CC_PBX_HEALTH_PORT", p.pbx_health, False, "pbx"),
    ]
