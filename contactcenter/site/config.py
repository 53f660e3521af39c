"""Where the stack lives and which ports it uses, read from the environment.

Plain Python (no Django) because the process runner, the test fixtures and Django's
settings all need the same answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

REPO_DIR = Path(__file__).resolve().parents[2]
# Held by the one dialer that dials for the site (``manage.py dialer``).
DIALER_LOCK_KEY = "cc:dialer:lock"


class ConfigError(Exception):
    """A setting that cannot work; the message is the one line shown to the user."""


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise ConfigError(f"{name}={value} is outside 1..65535")
    return value


@dataclass(frozen=True)
class Ports:
    web: int = 8000
    asterisk_http: int = 8088  # ARI and the SIP-over-WebSocket transport share it
    ami: int = 5038
    sip: int = 5060
    redis: int = 6390
    pbx_health: int = 8091
    rtp_start: int = 10000
    rtp_end: int = 10999
    sim_agent: int = 5071  # the demo's simulated agent softphones (this port and the next)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Ports:
        ports = cls(
            web=_port(env, "CC_WEB_PORT", cls.web),
            asterisk_http=_port(env, "CC_ASTERISK_HTTP_PORT", cls.asterisk_http),
            ami=_port(env, "CC_AMI_PORT", cls.ami),
            sip=_port(env, "CC_SIP_PORT", cls.sip),
            redis=_port(env, "CC_REDIS_PORT", cls.redis),
            pbx_health=_port(env, "CC_PBX_HEALTH_PORT", cls.pbx_health),
            rtp_start=_port(env, "CC_RTP_START", cls.rtp_start),
            rtp_end=_port(env, "CC_RTP_END", cls.rtp_end),
            sim_agent=_port(env, "CC_SIM_AGENT_PORT", cls.sim_agent),
        )
        if ports.rtp_end <= ports.rtp_start:
            raise ConfigError(f"CC_RTP_END={ports.rtp_end} must be above CC_RTP_START={ports.rtp_start}")
        return ports

    def listening(self) -> dict[str, int]:
        """The TCP/UDP ports our processes bind, by a name a user recognises."""
        return {
            "web (CC_WEB_PORT)": self.web,
            "Asterisk HTTP/ARI (CC_ASTERISK_HTTP_PORT)": self.asterisk_http,
            "Asterisk AMI (CC_AMI_PORT)": self.ami,
            "Asterisk SIP (CC_SIP_PORT)": self.sip,
            "Redis (CC_REDIS_PORT)": self.redis,
            "pbx health (CC_PBX_HEALTH_PORT)": self.pbx_health,
        }


def redis_url_with_password(address: str, password: str) -> str:
    """``redis://127.0.0.1:PORT/0`` with ``password`` for Redis's default user (requirepass)."""
    scheme, rest = address.split("://", 1)
    return f"{scheme}://:{quote(password, safe='')}@{rest}" if password else address


@dataclass(frozen=True)
class StackConfig:
    repo_dir: Path
    var_dir: Path
    cache_dir: Path
    ports: Ports
    ari_app: str = "contactcenter"
    ari_user: str = "contactcenter"
    ami_user: str = "contactcenter"
    asterisk_instance: str = "stack"
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> StackConfig:
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("CC_VAR_DIR", REPO_DIR / "var")).resolve()
        cache_dir = Path(env.get("CONTACTCENTER_CACHE", Path.home() / ".cache" / "contactcenter"))
        return cls(
            repo_dir=REPO_DIR,
            var_dir=var_dir,
            cache_dir=cache_dir,
            ports=Ports.from_env(env),
        )

    @property
    def asterisk_root(self) -> Path:
        return self.cache_dir / "asterisk-root"

    @property
    def venv_python(self) -> Path:
        return self.cache_dir / "venv" / "bin" / "python"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def run_dir(self) -> Path:
        return self.var_dir / "run"

    @property
    def metrics_dir(self) -> Path:
        """PROMETHEUS_MULTIPROC_DIR of the stack's processes: each writes its counters and
        histograms there, and the web's ``/metrics`` sums them (emptied by ``stack up``)."""
        return self.var_dir / "metrics"

    @property
    def secrets_file(self) -> Path:
        return self.var_dir / "secrets.json"

    @property
    def redis_address(self) -> str:
        """The stack's Redis without its password: what may be shown or logged."""
        return f"redis://127.0.0.1:{self.ports.redis}/0"

    @property
    def redis_url(self) -> str:
        """What every client of the stack's Redis connects with: it carries the installation's
        Redis password (``var/secrets.json``, generated on first use like the other secrets)."""
        from contactcenter.site.secrets import ensure_secrets  # it imports ConfigError from here

        return redis_url_with_password(self.redis_address, ensure_secrets(self.secrets_file).redis_password)

    @property
    def ari_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.asterisk_http}/ari"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.web}"

    @property
    def pbx_health_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.pbx_health}/health"
