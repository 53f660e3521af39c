"""Render ``templates/*.conf`` from typed settings into an Asterisk instance directory.

Templates use ``{{name}}`` placeholders (``$`` and ``${}`` belong to the dialplan). Every
placeholder must be supplied and every supplied value used, so a typo fails loudly here
instead of as a silently broken PBX.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from asterisk_config.dialling import TRUNK_ENDPOINT
from asterisk_config.topology import AgentEndpoint, HumanQueue, Topology

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
    topology: Topology
    # Where outbound AI calls go: a carrier, or the simulated customers in tests and the demo.
    trunk_host: str = "127.0.0.1"
    trunk_port: int = 5070


def fill(template: str, values: dict[str, str], source: str = "template") -> str:
    wanted = set(_PLACEHOLDER.findall(template))
    missing = wanted - values.keys()
    if missing:
        raise RenderError(f"{source}: no value for {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _agent_sections(agents: tuple[AgentEndpoint, ...]) -> str:
    blocks = []
    for agent in agents:
        webrtc = (
            "webrtc = yes\ndtls_auto_generate_cert = yes\nallow = opus,ulaw\n"
            if agent.webrtc
            else ""
        )
        # A fixed contact (simulated agents, desk phones without registration) instead of REGISTER.
        contact = f"contact = {agent.static_contact}\n" if agent.static_contact else ""
        blocks.append(
            f"[{agent.name}](agent-endpoint)\nauth = {agent.name}\naors = {agent.name}\n"
            f'callerid = "{agent.name}" <{agent.name}>\n{webrtc}\n'
            f"[{agent.name}](agent-auth)\nusername = {agent.name}\npassword = {agent.password}\n\n"
            f"[{agent.name}](agent-aor)\n{contact}"
        )
    return "\n".join(blocks)


def _queue_sections(queues: tuple[HumanQueue, ...]) -> str:
    blocks = []
    for queue in queues:
        members = "".join(
            f"member => PJSIP/{m},0,{m},PJSIP/{m}\n" for m in queue.members
        )
        blocks.append(
            f"[{queue.name}]\nstrategy = {queue.strategy}\ntimeout = {queue.ring_timeout_s}\n"
            "retry = 2\nwrapuptime = 0\n"
            # Callers wait even while no agent is logged in; the max wait sends them back to the bot.
            "joinempty = yes\nleavewhenempty = no\nringinuse = no\n"
            "announce-frequency = 0\nperiodic-announce-frequency = 0\n"
            f"{members}"
        )
    return "\n".join(blocks)


def _queue_extensions(queues: tuple[HumanQueue, ...]) -> str:
    lines = []
    for queue in queues:
        lines += [
            f"exten => {queue.name},1,NoOp(Escalated to {queue.name}: ${{CC_ESCALATION_REASON}})",
            # The leading __ carries the values onto the agent's channel for the screen-pop.
            " same => n,Set(__CC_CALL_ID=${CC_CALL_ID})",
            " same => n,Set(__CC_ESCALATION_REASON=${CC_ESCALATION_REASON})",
            " same => n,Set(__CC_ESCALATION_SCORE=${CC_ESCALATION_SCORE})",
            # For the agent console's screen-pop (empty when the caller did not come from a campaign).
            " same => n,Set(__CC_ESCALATION_SUMMARY=${CC_ESCALATION_SUMMARY})",
            " same => n,Set(__CC_LEAD_ID=${CC_LEAD_ID})",
            " same => n,Set(__CC_CAMPAIGN_ID=${CC_CAMPAIGN_ID})",
            f" same => n,Set(__CC_QUEUE={queue.name})",
            # CC_WHISPER_FILE: the summary the agent hears before being bridged (announceoverride).
            # b(): on each agent's new channel, before it rings, add the screen-pop headers.
            f" same => n,Queue({queue.name},b(cc-agent-predial^s^1),,${{CC_WHISPER_FILE}},{queue.max_wait_s})",
            # Nobody answered in time: back to the bot, which offers a callback.
            f" same => n,Stasis(${{CC_ARI_APP}},queue-returned,{queue.name},${{QUEUESTATUS}})",
            " same => n,Playback(silence/1&vm-goodbye)",
            " same => n,Hangup()",
        ]
    return "\n".join(lines)


def _agent_dialling(patterns: tuple[str, ...]) -> str:
    """What the dial policy lets agents dial out; anything else they dial is not found (404)."""
    if not patterns:
        return "; No outside numbers: the dial policy allows none (Topology.agent_dial_patterns)."
    dial = f"Dial(PJSIP/${{EXTEN}}@{TRUNK_ENDPOINT},60)"
    return "\n".join(f"exten => {pattern},1,{dial}\n same => n,Hangup()" for pattern in patterns)


def render(settings: AsteriskSettings) -> dict[str, str]:
    """File name -> contents, for every file in ``templates/``."""
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
        "trunk_host": settings.trunk_host,
        "trunk_port": str(settings.trunk_port),
        "failsafe_queue": settings.topology.failsafe_queue,
        "agent_sections": _agent_sections(settings.topology.agents),
        "queue_sections": _queue_sections(settings.topology.queues),
        "queue_extensions": _queue_extensions(settings.topology.queues),
        "agent_dialling": _agent_dialling(settings.topology.agent_dial_patterns),
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
    return rendered


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
    for name, text in files.items():
        target = etc / name
        tmp = target.with_suffix(".tmp")
        # Secrets live in these files: readable by Asterisk's user only.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chown(tmp, 0, gid)
        os.replace(tmp, target)
    os.chown(host_dir, uid, gid)
    return etc
