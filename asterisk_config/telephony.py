"""The PBX Django owns, as Asterisk reads it: agents' and trunks' PJSIP sections, the queues,
and the dialplan that names them.

Three files beside the static templates, which ``#include`` them. The stack writes them at
start; pbx rewrites them whenever Django publishes a change and reloads only the module whose
file changed (``pbx.telephony_sync``). Every value comes from ``pbx.api.Telephony``, whose
models already refused anything that could end a config line or open a dialplan expression.
"""

from __future__ import annotations

from asterisk_config.music import opening_class_expression
from pbx.api import QueueSpec, Telephony, TrunkSpec
from pbx.api.telephony import SIP_REALM

PJSIP_FILE = "pjsip_telephony.conf"
QUEUES_FILE = "queues_telephony.conf"
EXTENSIONS_FILE = "extensions_telephony.conf"
# The AMI action that reloads each file in a running Asterisk (pbx sends them). Narrow actions,
# not the CLI's ``Command``: pbx's AMI user may not run CLI commands (manager.conf). The queue
# reload names what ``queue reload all`` reloads: without them it would also reset the stats.
RELOAD_ACTIONS: dict[str, dict[str, str]] = {
    PJSIP_FILE: {"Action": "Reload", "Module": "res_pjsip.so"},
    QUEUES_FILE: {"Action": "QueueReload", "Members": "yes", "Rules": "yes", "Parameters": "yes"},
    EXTENSIONS_FILE: {"Action": "Reload", "Module": "pbx_config.so"},
}
_HEADER = "; Rendered from Django's configuration (asterisk_config.telephony); changes are overwritten.\n\n"


def render_telephony(telephony: Telephony) -> dict[str, str]:
    """File name -> contents of the three files."""
    return {
        PJSIP_FILE: _HEADER + _pjsip(telephony),
        QUEUES_FILE: _HEADER + "\n".join(_queue_section(q) for q in telephony.queues),
        EXTENSIONS_FILE: _HEADER + _extensions(telephony),
    }


def _pjsip(telephony: Telephony) -> str:
    blocks = []
    for agent in telephony.agents:
        options = [f"auth = {agent.name}", f"aors = {agent.name}",
                   f'callerid = "{agent.display_name or agent.name}" <{agent.name}>']  # fmt: skip
        if agent.transport == "webrtc":
            # Browser softphones need DTLS-SRTP, ICE and the WebSocket transport.
            options += ["webrtc = yes", "dtls_auto_generate_cert = yes", "allow = opus,ulaw"]
        elif agent.transport == "tcp":
            options.append("transport = transport-tcp")
        # A fixed contact (simulated agents, desk phones without registration) instead of REGISTER.
        contact = f"contact = {agent.static_contact}\n" if agent.static_contact else ""
        blocks.append(
            f"[{agent.name}](agent-endpoint)\n" + "".join(f"{o}\n" for o in options) + "\n"
            # Asterisk checks digests against this hash: no agent's password is in the file.
            f"[{agent.name}](agent-auth)\nusername = {agent.name}\nrealm = {SIP_REALM}\n"
            f"password_digest = MD5:{agent.md5_cred}\n\n"
            f"[{agent.name}](agent-aor)\n{contact}"
        )
    blocks += [_trunk_sections(trunk) for trunk in telephony.trunks]
    return "\n".join(blocks)


def _trunk_sections(trunk: TrunkSpec) -> str:
    uri = f"sip:{trunk.host}:{trunk.port}" + (";transport=tcp" if trunk.transport == "tcp" else "")
    auth = f"outbound_auth = {trunk.name}-auth\n" if trunk.username else ""
    caller = f"callerid = <{trunk.caller_id}>\n" if trunk.caller_id else ""
    # A trunk with a channel limit answers through its own context, which counts its calls first.
    context = f"context = from-trunk-{trunk.name}\n" if trunk.max_channels else ""
    text = (
        f"[{trunk.name}](trunk-endpoint)\naors = {trunk.name}\ntransport = transport-{trunk.transport}\n"
        f"{context}{auth}{caller}\n"
        f"[{trunk.name}]\ntype = aor\ncontact = {uri}\nqualify_frequency = 0\n\n"
        # Calls from the carrier's address are the carrier's (agents are identified by user name first).
        f"[{trunk.name}-identify]\ntype = identify\nendpoint = {trunk.name}\nmatch = {trunk.host}\n"
    )
    if trunk.username:
        text += (f"\n[{trunk.name}-auth]\ntype = auth\nauth_type = userpass\nusername = {trunk.username}\n"
                 f"password = {trunk.password}\n")  # fmt: skip
    if trunk.registers:
        text += (
            f"\n[{trunk.name}-registration]\ntype = registration\ntransport = transport-{trunk.transport}\n"
            f"outbound_auth = {trunk.name}-auth\nserver_uri = {uri}\n"
            f"client_uri = sip:{trunk.username}@{trunk.host}:{trunk.port}\nretry_interval = 60\n"
            "forbidden_retry_interval = 600\nexpiration = 3600\n"
        )
    return text


def _queue_section(queue: QueueSpec) -> str:
    lines = [
        f"[{queue.name}]",
        f"strategy = {queue.strategy}",
        f"timeout = {queue.ring_timeout_s}",
        "retry = 2",
        f"wrapuptime = {queue.wrap_up_s}",
        f"servicelevel = {queue.service_level_s}",
        f"musicclass = {queue.music_class}",
        # Callers wait even while no agent is logged in; the max wait sends them back to the bot.
        "joinempty = yes",
        "leavewhenempty = no",
        "ringinuse = no",
        f"announce-frequency = {queue.announce_frequency_s if queue.announce_position else 0}",
        f"announce-position = {'yes' if queue.announce_position else 'no'}",
        "announce-holdtime = no",
        "periodic-announce-frequency = 0",
    ]
    # member => interface,penalty,name,state interface
    lines += [f"member => PJSIP/{m.agent},{m.penalty},{m.agent},PJSIP/{m.agent}" for m in queue.members]
    return "\n".join(lines) + "\n"


def _queue_extension(queue: QueueSpec) -> list[str]:
    # With overflow, the caller waits here overflow_after_s, then moves on (its total wait is
    # still bounded by the next queue's max wait); without, max_wait_s then back to the bot.
    wait = queue.overflow_after_s if queue.overflow_queue else queue.max_wait_s
    lines = [
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
        # The caller hears the bridging phrase (or, unheard, why the bot hands over), then this
        # queue's music, while agents already ring: the twin class pbx chose opens with the line
        # (asterisk_config.music). The agent's hook gives the caller the plain class back, for
        # holds during the conversation.
        f" same => n,Set(__CC_MUSIC_CLASS={queue.music_class})",
        f" same => n,Set(CHANNEL(musicclass)={opening_class_expression(queue.music_class)})",
        # Pre-alert: the agent pbx held for this call is rung first (CC_RESERVED_AGENT, set by pbx).
        *_reserved_agent_first(queue),
        # b(): on each agent's new channel, before it rings, add the screen-pop headers.
        # The last argument: on the answering agent's channel, before the bridge, the summary.
        f" same => n,Queue({queue.name},b(cc-agent-predial^s^1),,,{wait},,cc-agent-answered)",
    ]
    if queue.overflow_queue:
        lines += [
            f" same => n,GotoIf($[\"${{QUEUESTATUS}}\" = \"TIMEOUT\"]?cc-queue,{queue.overflow_queue},1)",
        ]
    lines += [
        # Nobody answered in time: back to the bot, which offers a callback.
        f" same => n,Stasis(${{CC_ARI_APP}},queue-returned,{queue.name},${{QUEUESTATUS}})",
        " same => n,Playback(silence/1&vm-goodbye)",
        " same => n,Hangup()",
    ]
    return lines


# How long the reserved agent rings before the queue's other agents are tried: they have been
# following the call on the console (and their phone may answer by itself), so not long.
RESERVED_AGENT_RING_S = 8


def _reserved_agent_first(queue: QueueSpec) -> list[str]:
    """Dial the reserved agent (after the variables their screen-pop inherits); on no answer the
    caller goes on into Queue(). A reserved member is paused, so Queue() itself would skip them."""
    return [f" same => n,GosubIf($[${{LEN(${{CC_RESERVED_AGENT}})}} > 0]?cc-reserved-agent,s,1"
            f"(${{CHANNEL(musicclass)}},{RESERVED_AGENT_RING_S}))"]


def _extensions(telephony: Telephony) -> str:
    lines = ["[cc-queue]"]
    for queue in telephony.queues:
        lines += _queue_extension(queue)
    lines += ["", "[cc-agents]"]
    lines += _agent_dialling(telephony.trunks)
    for trunk in telephony.trunks:
        if trunk.max_channels:
            lines += ["", *_channel_limit(trunk)]
    return "\n".join(lines) + "\n"


def _channel_limit(trunk: TrunkSpec) -> list[str]:
    """Inbound calls beyond the trunk's channels get 503 (cause 34) rather than a caller the
    site has no line for. (Outbound calls are pbx's ARI originates, which run no dialplan: the
    dialer keeps those within the limit.)"""
    return [
        f"[from-trunk-{trunk.name}]",
        f"exten => _[+0-9].,1,Set(GROUP(trunk)={trunk.name})",
        f" same => n,GotoIf($[${{GROUP_COUNT({trunk.name}@trunk)}} > {trunk.max_channels}]?full)",
        " same => n,Goto(from-trunk,${EXTEN},1)",
        " same => n(full),Hangup(34)",
    ]


def _agent_dialling(trunks: tuple[TrunkSpec, ...]) -> list[str]:
    """What agents may dial out: the destination patterns of trunks that allow it; anything else 404."""
    seen: set[str] = set()
    lines = []
    for trunk in trunks:
        if not trunk.agents_may_dial:
            continue
        for pattern in trunk.destination_patterns:
            if pattern in seen:
                continue  # the first trunk listing a pattern carries it
            seen.add(pattern)
            lines += [f"exten => {pattern},1,Dial(PJSIP/${{EXTEN}}@{trunk.name},60)", " same => n,Hangup()"]
    return lines or ["; No outside numbers: no trunk lets agents dial out."]
