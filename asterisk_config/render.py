"""Render ``templates/*.conf`` from typed settings into an Asterisk instance directory.

Templates use ``{{name}}`` placeholders (``$`` and ``${}`` belong to the dialplan). Every
placeholder must be supplied and every supplied value used, so a typo fails loudly here
instead of as a silently broken PBX.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from asterisk_config.music import PROMPT_DIR, bridging_twins
from asterisk_config.telephony import render_telephony
from pbx.api import SIP_REALM, Telephony

TEMPLATE_DIR = Path(__file__).with_name("templates")
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


class RenderError(Exception):
    pass


@dataclass(frozen=True)
class AsteriskSettings:
    instance: str
    # Where the instance lives as Asterisk sees it (inside the chroot), e.g. /srv/contactcenter/stack
    instance_dir: str
    http_port: int
    ami_port: int
    sip_port: int
    rtp_start: int
    rtp_end: int
    web_port: int
    ari_app: str
    ari_user: str
    ari_password: str
    ami_user: str
    ami_secret: str
    # Agents, queues and trunks (Django's, or a test's); pbx keeps them current while it runs.
    # None: an instance only talked to (its CLI, stopping it), never rendered.
    telephony: Telephony | None = None
    # Basic auth of Asterisk's own /metrics (res_prometheus, prometheus.conf). A test's instance
    # gets a fresh password; the stack's is the installation's secret.
    metrics_user: str = "prometheus"
    metrics_password: str = field(default_factory=lambda: secrets.token_hex(16))


def fill(template: str, values: dict[str, str], source: str = "template") -> str:
    wanted = set(_PLACEHOLDER.findall(template))
    missing = wanted - values.keys()
    if missing:
        raise RenderError(f"{source}: no value for {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def render(settings: AsteriskSettings) -> dict[str, str]:
    """File name -> contents, for every file in ``templates/`` and the files they include."""
    if settings.telephony is None:
        raise RenderError(f"instance {settings.instance}: no agents, queues and trunks to render")
    values = {
        "instance": settings.instance,
        "instance_dir": settings.instance_dir,
        "http_port": str(settings.http_port),
        "ami_port": str(settings.ami_port),
        "sip_port": str(settings.sip_port),
        "rtp_start": str(settings.rtp_start),
        "rtp_end": str(settings.rtp_end),
        "web_port": str(settings.web_port),
        "ari_app": settings.ari_app,
        "ari_user": settings.ari_user,
        "ari_password": settings.ari_password,
        "ami_user": settings.ami_user,
        "ami_secret": settings.ami_secret,
        "metrics_user": settings.metrics_user,
        "metrics_password": settings.metrics_password,
        "sip_realm": SIP_REALM,
        "failsafe_queue": settings.telephony.failsafe_queue,
        # The prompt folder pbx writes (PBX_MEDIA_DIR_ASTERISK in the stack).
        "prompt_dir": f"{settings.instance_dir}/{PROMPT_DIR}",
        "bridging_music_classes": bridging_twins(f"{settings.instance_dir}/{PROMPT_DIR}"),
    }
    rendered: dict[str, str] = {}
    used: set[str] = set()
    for path in sorted(TEMPLATE_DIR.glob("*.conf")):
        text = path.read_text()
        used |= set(_PLACEHOLDER.findall(text))
        rendered[path.name] = fill(text, values, source=path.name)
    unused = values.keys() - used
    if unused:
        raise RenderError(f"settings not used by any template: {', '.join(sorted(unused))}")
    return {**rendered, **render_telephony(settings.telephony)}


def _chroot_ids(root: Path, user: str = "asterisk") -> tuple[int, int]:
    """The uid/gid of ``user`` inside the chroot (they need not match the host's)."""
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise RenderError(f"user {user!r} does not exist in {root}/etc/passwd; rebuild the Asterisk root")


INSTANCE_SUBDIRS = ("etc", "run", "log", "spool", "lib", "lib/keys", "cache")


def write_instance(root: Path, settings: AsteriskSettings) -> Path:
    """Write the rendered config under ``root`` + ``instance_dir``; returns the host path of etc/."""
    host_dir = root / settings.instance_dir.lstrip("/")
    uid, gid = _chroot_ids(root)
    files = render(settings)
    for sub in INSTANCE_SUBDIRS:
        (host_dir / sub).mkdir(parents=True, exist_ok=True)
        os.chown(host_dir / sub, uid, gid)
    etc = host_dir / "etc"
    for stale in etc.glob("*.conf"):
        if stale.name not in files:
            stale.unlink()
    write_config_files(etc, files, gid)
    os.chown(host_dir, uid, gid)
    return etc


def write_config_files(etc: Path, files: dict[str, str], gid: int) -> list[str]:
    """Write the files whose contents changed, each atomically; returns their names.

    Asterisk may read a file at any moment (a reload): it sees the old one or the new one whole.
    """
    changed = []
    for name, text in files.items():
        target = etc / name
        try:
            if target.read_text() == text:
                continue
        except FileNotFoundError:
            pass
        tmp = target.with_suffix(".tmp")
        # Secrets live in these files: readable by Asterisk's user only.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chown(tmp, 0, gid)
        os.replace(tmp, target)
        changed.append(name)
    return changed
