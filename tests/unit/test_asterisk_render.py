from __future__ import annotations

import re

import pytest

from asterisk_config.render import AsteriskSettings, RenderError, fill, render
from asterisk_config.topology import AgentEndpoint, HumanQueue, Topology, default_topology


def settings(**overrides) -> AsteriskSettings:
    base = dict(
        instance="t1", instance_dir="/srv/contactcenter/t1", http_port=18088, ami_port=15038, sip_port=15060,
        rtp_start=20000, rtp_end=20100, web_port=18000, ari_app="app", ari_user="ariuser",
        ari_password="aripw", ami_user="amiuser", ami_secret="amisecret", topology=default_topology("agentpass1"),
    )  # fmt: skip
    base.update(overrides)
    return AsteriskSettings(**base)


def test_every_placeholder_is_filled_and_ports_land() -> None:
    files = render(settings())
    for name, text in files.items():
        assert "{{" not in text, name
    assert "bindport = 18088" in files["http.conf"]
    assert "bindaddr = 127.0.0.1" in files["http.conf"] and "bindaddr = 127.0.0.1" in files["manager.conf"]
    assert "port = 15038" in files["manager.conf"]
    assert "bind = 127.0.0.1:15060" in files["pjsip.conf"]
    assert "password = aripw" in files["ari.conf"]
    assert re.search(r"^autoload = no", files["modules.conf"], re.M)


def test_modules_needed_for_external_media_are_loaded() -> None:
    modules = render(settings())["modules.conf"]
    for module in ("res_websocket_client.so", "res_rtp_multicast.so", "chan_rtp.so", "res_pjsip_pubsub.so",
                   "res_pjsip_transport_websocket.so", "app_queue.so", "res_ari.so"):  # fmt: skip
        assert f"load = {module}" in modules


def test_queues_agents_and_failsafe_are_rendered() -> None:
    files = render(settings())
    assert "[support]" in files["queues.conf"] and "member => PJSIP/agent1" in files["queues.conf"]
    assert "[agent2](agent-auth)" in files["pjsip.conf"] and "password = agentpass1" in files["pjsip.conf"]
    assert "CC_FAILSAFE_QUEUE = support" in files["extensions.conf"]
    assert "Queue(support,b(cc-agent-predial^s^1),,${CC_WHISPER_FILE},60)" in files["extensions.conf"]


def test_missing_placeholder_value_fails() -> None:
    with pytest.raises(RenderError, match="no value for port"):
        fill("bind = {{port}}", {}, "x.conf")


def test_topology_rejects_unsafe_names_and_dangling_members() -> None:
    with pytest.raises(ValueError, match="queue name"):
        HumanQueue("sup port")
    with pytest.raises(ValueError, match="agent name"):
        AgentEndpoint("a]b", "password1")
    with pytest.raises(ValueError, match="password"):
        AgentEndpoint("a1", "short")
    with pytest.raises(ValueError, match="unknown agents: ghost"):
        Topology(queues=(HumanQueue("support", members=("ghost",)),))
    with pytest.raises(ValueError, match="fail-safe queue"):
        Topology(queues=(HumanQueue("sales"),), failsafe_queue="support")


def test_the_trunk_is_not_re_invited_when_the_bot_bridges_the_customer() -> None:
    # Connected-line updates turn the bot's bridge into a mid-call re-INVITE to the carrier.
    pjsip = render(settings())["pjsip.conf"]
    trunk = pjsip[pjsip.index("[trunk]\ntype = endpoint"):pjsip.index("[trunk]\ntype = aor")]
    assert "send_connected_line = no" in trunk and "direct_media = no" in trunk


def test_the_demo_queue_offers_calls_in_turn_starting_with_the_browser_agent() -> None:
    queues = render(settings(topology=default_topology("agentpass1", (40000, 40001))))["queues.conf"]
    assert "strategy = rrordered" in queues
    assert queues.index("member => PJSIP/webagent1") < queues.index("member => PJSIP/agent1")
    assert "strategy = rrmemory" in render(settings())["queues.conf"]


# ------------------------------------------------------------------ values from leads and users

# Channel variables that can hold a lead's or a user's words (pbx sets them URI-encoded, but the
# dialplan must not depend on it), and functions that read what a caller's or agent's phone sent.
USER_TEXT = ("CC_ESCALATION_SUMMARY", "CC_ESCALATION_REASON")
_LENGTH_OF = re.compile(r"\$\{LEN\(\$\{[A-Z_]+\}\)\}")


def _expressions(dialplan: str) -> list[str]:
    """The text inside every ``$[ ... ]`` (brackets matched, nested ones included)."""
    found = []
    for start in (m.start() for m in re.finditer(r"\$\[", dialplan)):
        depth, i = 0, start + 1
        while i < len(dialplan):
            depth += {"[": 1, "]": -1}.get(dialplan[i], 0)
            if depth == 0:
                break
            i += 1
        found.append(dialplan[start + 2:i])
    return found


def _dialplan_lines(dialplan: str) -> list[str]:
    return [line for line in dialplan.splitlines() if line.strip() and not line.lstrip().startswith(";")]


def test_no_value_a_lead_or_user_can_set_is_expanded_inside_an_expression() -> None:
    dialplan = "\n".join(_dialplan_lines(render(settings())["extensions.conf"]))
    expressions = _expressions(dialplan)
    assert len(expressions) > 5
    for expression in expressions:
        bare = _LENGTH_OF.sub("0", expression)  # ${LEN(${X})} is a number whatever X holds
        # CC_SIM_*: set only by the test simulators on their own Local channels.
        assert not re.search(r"CC_(?!SIM_)|PJSIP_HEADER|CALLERID|EXTEN", bare), expression


def test_text_from_leads_and_users_is_only_ever_copied_whole() -> None:
    # Inside IF(), ExecIf() or an application's arguments a , : ) " in the text would split it.
    for line in _dialplan_lines(render(settings())["extensions.conf"]):
        text = _LENGTH_OF.sub("0", line)
        for name in USER_TEXT:
            if "${" + name + "}" not in text:
                continue
            copied = re.search(r"Set\([A-Za-z_(),-]+=\$\{" + name + r"\}\)$", text)
            assert copied or "NoOp(" in text, line
    assert "PJSIP_HEADER(add,X-CC-Summary)=${CC_ESCALATION_SUMMARY})" in render(settings())["extensions.conf"]


def test_the_pause_reason_an_agent_sends_is_filtered_before_use() -> None:
    dialplan = render(settings())["extensions.conf"]
    reads = dialplan.count("PJSIP_HEADER(read,")
    assert reads >= 1 and dialplan.count("${FILTER(0-9A-Za-z_,${PJSIP_HEADER(read,") == reads


def _agent_context(dialplan: str) -> str:
    start = dialplan.index("[cc-agents]\n")
    return dialplan[start:dialplan.index("\n[", start + 1)]


def test_agent_endpoints_dial_only_what_the_dial_policy_allows() -> None:
    files = render(settings())
    assert "context = cc-agents" in files["pjsip.conf"].split("[agent-auth]")[0]
    agents = _agent_context(files["extensions.conf"])
    assert "Dial(" not in agents and "@trunk" not in agents
    assert {"echo", "cc-pause", "cc-unpause"} == set(re.findall(r"^exten => ([^,]+),1,", agents, re.M))

    topology = default_topology("agentpass1")
    allowed = Topology(agents=topology.agents, queues=topology.queues,
                       agent_dial_patterns=("_+91XXXXXXXXXX",))  # fmt: skip
    agents = _agent_context(render(settings(topology=allowed))["extensions.conf"])
    assert "exten => _+91XXXXXXXXXX,1,Dial(PJSIP/${EXTEN}@trunk,60)" in agents
    assert len(re.findall(r"Dial\(", agents)) == 1


@pytest.mark.parametrize("pattern", ["_X.,1,Dial(PJSIP/x@evil)", "+919800000001", "_[0-9a]X", "_X;", "_X.)",
                                     "_"])  # fmt: skip
def test_a_dial_policy_pattern_must_be_a_plain_extension_pattern(pattern: str) -> None:
    with pytest.raises(ValueError, match="agent dial pattern"):
        Topology(queues=(HumanQueue("support"),), agent_dial_patterns=(pattern,))
    Topology(queues=(HumanQueue("support"),), agent_dial_patterns=("_X.", "_+[1-9]XXX!", "_NXXNXXXXXX"))


def test_the_trunk_campaigns_dial_by_default_is_an_endpoint_of_the_rendered_pjsip() -> None:
    from asterisk_config.dialling import CAMPAIGN_TRUNKS, LOCAL_TRUNK_PREFIX, TRUNK_ENDPOINT

    files = render(settings())
    assert f"[{TRUNK_ENDPOINT}]\ntype = endpoint" in files["pjsip.conf"]
    for trunk in CAMPAIGN_TRUNKS:
        if trunk.startswith(LOCAL_TRUNK_PREFIX):
            context = trunk.removeprefix(LOCAL_TRUNK_PREFIX)
            section = files["extensions.conf"].split(f"[{context}]\n")[1].split("\n[")[0]
            assert "exten => _[c+].," in section  # takes a +number as its extension
