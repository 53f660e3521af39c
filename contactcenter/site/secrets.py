"""Secrets generated once per installation and kept in var/secrets.json (never in git)."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from contactcenter.site.config import ConfigError

_FIELDS = ("django_secret_key", "ari_password", "ami_secret", "agent_sip_password", "redis_password",
           "metrics_token", "asterisk_metrics_password")  # fmt: skip
# Secrets a later version introduced: an installation's file without them gains them on its next
# start (the others it has had from the start; one missing there means the file was damaged).
_ADDED_LATER = ("redis_password", "metrics_token", "asterisk_metrics_password")


@dataclass(frozen=True)
class Secrets:
    django_secret_key: str
    ari_password: str
    ami_secret: str
    agent_sip_password: str  # the key each agent's own SIP password is derived from (people.sip_credentials)
    redis_password: str  # the stack's Redis asks every client for it (requirepass)
    metrics_token: str  # Prometheus's bearer token for the web's GET /metrics (CC_METRICS_TOKEN)
    asterisk_metrics_password: str  # Basic auth of Asterisk's own /metrics (res_prometheus)

    @classmethod
    def generate(cls) -> Secrets:
        return cls(**{name: _fresh(name) for name in _FIELDS})


def _fresh(name: str) -> str:
    if name == "django_secret_key":
        return secrets.token_urlsafe(50)
    # Hex: safe inside a URL (redis://:PASSWORD@…) and a config line without quoting.
    return secrets.token_hex(8) if name == "agent_sip_password" else secrets.token_hex(16)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"secrets file {path} is missing; run `python manage.py stack init`") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"secrets file {path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"secrets file {path} must hold a JSON object")
    return data


def load_secrets(path: Path) -> Secrets:
    data = _read(path)
    for name in _FIELDS:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"secret {name!r} is missing from {path}; delete the file to generate new secrets"
            )
    return Secrets(**{name: data[name] for name in _FIELDS})


def _private_copy(path: Path, data: dict) -> Path:
    """``data`` in a new file beside ``path``, created 0600: never world-readable, even briefly.
    Moved into place whole, so no process ever reads a half-written secrets file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    return tmp


def _add_later_secrets(path: Path) -> None:
    """An installation made before a secret existed gets it, once: under a lock, so processes
    starting together (the stack's) all read the one value the first of them wrote."""
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _read(path)
        missing = [name for name in _ADDED_LATER if not data.get(name)]
        if missing:
            os.replace(_private_copy(path, {**data, **{name: _fresh(name) for name in missing}}), path)


def ensure_secrets(path: Path) -> Secrets:
    """Load the secrets, generating the file the first time and the secrets added since then."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _private_copy(path, asdict(Secrets.generate()))
        try:
            os.link(tmp, path)  # whole or not at all; a process starting at once keeps the first's
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    if any(not _read(path).get(name) for name in _ADDED_LATER):
        _add_later_secrets(path)
    return load_secrets(path)
