"""Secrets generated once per installation and kept in var/secrets.json (never in git)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from contactcenter.site.config import ConfigError

_FIELDS = ("django_secret_key", "ari_password", "ami_secret", "agent_sip_password")


@dataclass(frozen=True)
class Secrets:
    django_secret_key: str
    ari_password: str
    ami_secret: str
    agent_sip_password: str  # the demo agents' softphones

    @classmethod
    def generate(cls) -> Secrets:
        return cls(
            django_secret_key=secrets.token_urlsafe(50),
            ari_password=secrets.token_hex(16),
            ami_secret=secrets.token_hex(16),
            agent_sip_password=secrets.token_hex(8),
        )


def load_secrets(path: Path) -> Secrets:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"secrets file {path} is missing; run `python manage.py stack init`") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"secrets file {path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"secrets file {path} must hold a JSON object")
    for name in _FIELDS:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"secret {name!r} is missing from {path}; delete the file to generate new secrets"
            )
    return Secrets(**{name: data[name] for name in _FIELDS})


def ensure_secrets(path: Path) -> Secrets:
    """Load the secrets, generating the file the first time (and only then)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Secrets.generate()
        # Created 0600 from the start so the secrets are never world-readable, even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(fresh), f, indent=2)
    return load_secrets(path)
