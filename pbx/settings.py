"""pbx's settings, from ``PBX_*`` environment variables (the stack runner sets them)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(Exception):
    pass


class PbxSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ari_url: str = Field(description="Base URL of ARI, e.g. http://127.0.0.1:8088/ari")
    ari_user: str
    ari_password: str
    ari_app: str = "contactcenter"
    ami_host: str = "127.0.0.1"
    ami_port: int = Field(5038, ge=1, le=65535)
    ami_user: str
    ami_secret: str
    redis_url: str = "redis://127.0.0.1:6390/0"
    health_host: str = "127.0.0.1"
    health_port: int = Field(8091, ge=0, le=65535)
    reconnect_min_s: float = Field(0.2, gt=0)
    reconnect_max_s: float = Field(5.0, gt=0)
    media_format: str = Field("slin16", pattern="^(slin16|ulaw)$")
    failsafe_queue: str = "support"
    consumer_name: str = "pbx-1"
    # Asterisk's HTTP server listens with a backlog of 10: more connections opened at once lose
    # SYNs and wait a second for the retry. Requests queue for these (kept-alive) connections;
    # originates have their own, so a burst of bot media set-ups (a bridge join takes 100 ms
    # and more under load) never holds up the next call. Eight for originates, as many as the
    # dialer benchmark's raw side uses: with three, a burst's POSTs queued for a connection
    # while Asterisk had cores to spare (pbx alone ~660 -> ~780 originates/s, with the bot on
    # every call twice the rate; `python -m benchmarks dialer`). The two pools open at
    # different moments of a burst, so each stays under the backlog.
    ari_connections: int = Field(6, ge=1, le=64)
    ari_dial_connections: int = Field(8, ge=1, le=64)
    # Commands (originates) handled at once; beyond ari_connections they wait for a connection.
    command_concurrency: int = Field(32, ge=1, le=1000)
    # Files Asterisk must play (the agent's whisper summary) are written on the host under
    # media_dir and played by Asterisk from media_dir_asterisk (the same folder seen from its chroot).
    media_dir: str = ""
    media_dir_asterisk: str = ""
    # Asterisk's config folder on this host: pbx keeps its agents, queues and trunks current
    # there (pbx.telephony_sync). Empty: Asterisk's configuration is someone else's job.
    asterisk_etc_dir: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PbxSettings:
        env = os.environ if env is None else env
        values = {
            name: env[f"PBX_{name.upper()}"] for name in cls.model_fields if f"PBX_{name.upper()}" in env
        }
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"PBX_{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors()
            )
            raise SettingsError(f"invalid pbx settings: {problems}") from None
