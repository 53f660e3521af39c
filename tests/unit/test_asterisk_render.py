from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from asterisk_config.render import AsteriskSettings, RenderError, fill, render
from asterisk_config.telephony import EXTENSIONS_FILE, PJSIP_FILE, QUEUES_FILE
from pbx.api import AgentPhone, QueueMember, QueueSpec, Telephony, TrunkSpec, md5_cred


def telephony(**overrides) -> Telephony:
    """Two desk phones and a browser softphone in a support queue, and a trunk."""
    agents = tuple(AgentPhone(name=n, md5_cred=md5_cred(n, f"{n}-pass")) for n in ("agent1", "agent2"))
    web = AgentPhone(name="webagent1", md5_cred=md5_cred("webagent1", "webpass1"), transport="webrtc")
    base = dict(
        agents=(*agents, web),
        queues=(QueueSpec(name="support", members=tuple(QueueMember(agent=a.name) for a in (*agents, web))),),
        trunks=(TrunkSpec(name="trunk", host="127.0.0.1", port=5070),),
    )  # fmt: skip
    base.update(overrides)
    return Telephony(**base)


def settings(**overrides) -> AsteriskSettings:
    base = dict(
        instance="t1", instance_dir="/srv/contactcenter/t1", http_port=18088, ami_port=15038, sip_port=15060,
        rtp_start=20000, rtp_end=20100, web_port=18000, ari_app="app", ari_user="ariuser",
        ari_password="aripw", ami_user="amiuser", ami_secret="amisecret", telephony=telephony(),
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


def test_queues_agents_and_failsafe_are_rendered_into_the_included_files() -> None:
    files = render(settings())
    assert "#include queues_telephony.conf" in files["queues.conf"]
    assert "#include pjsip_telephony.conf" in files["pjsip.conf"]
    assert "#include extensions_telephony.conf" in files["extensions.conf"]
    assert "[support]" in files[QUEUES_FILE] and "member => PJSIP/agent1,0,agent1,PJSIP/agent1" in files[QUEUES_FILE]
    assert "[agent2](agent-auth)" in files[PJSIP_FILE]
    # The digest hash, never the password, and the realm it was taken over.
    assert f"password_digest = MD5:{md5_cred('agent2', 'agent2-pass')}" in files[PJSIP_FILE]
    assert "agent2-pass" not in files[PJSIP_FILE] and "realm = contactcenter" in files[PJSIP_FILE]
    assert "default_realm = contactcenter" in files["pjsip.conf"]
    assert "CC_FAILSAFE_QUEUE = support" in files["extensions.conf"]
    assert "Queue(support,b(cc-agent-predial^s^1),,,60,,cc-agent-answered)" in files[EXTENSIONS_FILE]


def test_queue_options_penalties_and_overflow_reach_the_files() -> None:
    support = QueueSpec(name="support", strategy="leastrecent", ring_timeout_s=12, wrap_up_s=7, service_level_s=30,
                        music_class="calm", announce_position=True, announce_frequency_s=45,
                        overflow_queue="sales", overflow_after_s=40,
                        members=(QueueMember(agent="agent1", penalty=3),))  # fmt: skip
    files = render(settings(telephony=telephony(queues=(support, QueueSpec(name="sales")))))
    queue = files[QUEUES_FILE].split("[support]\n")[1].split("\n[")[0]
    for line in ("strategy = leastrecent", "timeout = 12", "wrapuptime = 7", "servicelevel = 30",
                 "musicclass = calm", "announce-position = yes", "announce-frequency = 45",
                 "member => PJSIP/agent1,3,agent1,PJSIP/agent1"):  # fmt: skip
        assert line in queue.splitlines(), line
    dialplan = files[EXTENSIONS_FILE]
    assert "Queue(support,b(cc-agent-predial^s^1),,,40,,cc-agent-answered)" in dialplan
    # The caller hears the bridging phrase, then the queue's own music, while agents ring.
    support_lines = dialplan.split("exten => support,1")[1].split("exten => ")[0].splitlines()
    set_class = support_lines.index(
        " same => n,Set(CHANNEL(musicclass)=cc-${IF($[${LEN(${CC_OPENING})} > 0]?${FILTER(a-z,${CC_OPENING})}:bridge)}-calm)"
    )
    assert set_class < next(i for i, line in enumerate(support_lines) if ",Queue(support," in line)
    assert " same => n,Set(__CC_MUSIC_CLASS=calm)" in support_lines
    assert 'GotoIf($["${QUEUESTATUS}" = "TIMEOUT"]?cc-queue,sales,1)' in dialplan


def test_trunks_render_auth_registration_tcp_and_a_channel_limit() -> None:
    carrier = TrunkSpec(name="carrier", host="sip.example.net", port=5080, transport="tcp", username="acct1",
                        password="s3cret", registers=True, caller_id="+919800000000", max_channels=2)  # fmt: skip
    files = render(settings(telephony=telephony(trunks=(carrier,))))
    pjsip = files[PJSIP_FILE]
    assert "[carrier](trunk-endpoint)" in pjsip and "transport = transport-tcp" in pjsip
    assert "contact = sip:sip.example.net:5080;transport=tcp" in pjsip
    assert "outbound_auth = carrier-auth" in pjsip and "password = s3cret" in pjsip
    assert "[carrier-registration]" in pjsip and "client_uri = sip:acct1@sip.example.net:5080" in pjsip
    assert "match = sip.example.net" in pjsip and "callerid = <+919800000000>" in pjsip
    assert "context = from-trunk-carrier" in pjsip
    limit = files[EXTENSIONS_FILE].split("[from-trunk-carrier]\n")[1]
    assert "GROUP_COUNT(carrier@trunk)} > 2]?full" in limit and "Goto(from-trunk,${EXTEN},1)" in limit


def test_missing_placeholder_value_fails() -> None:
    with pytest.raises(RenderError, match="no value for port"):
        fill("bind = {{port}}", {}, "x.conf")


def test_telephony_rejects_unsafe_values_and_dangling_names() -> None:
    with pytest.raises(ValidationError, match="name"):
        QueueSpec(name="sup port")
    with pytest.raises(ValidationError, match="name"):
        AgentPhone(name="a]b", md5_cred=md5_cred("a", "b"))
    with pytest.raises(ValidationError, match="md5_cred"):
        AgentPhone(name="a1", md5_cred="password1")
    with pytest.raises(ValidationError, match="host"):
        TrunkSpec(name="t", host="evil.example;\n[x]")
    with pytest.raises(ValidationError, match="password"):
        TrunkSpec(name="t", host="h", password="a\n[evil]")
    with pytest.raises(ValidationError, match="unknown agents: ghost"):
        telephony(queues=(QueueSpec(name="support", members=(QueueMember(agent="ghost"),)),))
    with pytest.raises(ValidationError, match="fail-safe queue"):
        telephony(queues=(QueueSpec(name="sales"),))
    with pytest.raises(ValidationError, match="overflow"):
        QueueSpec(name="support", overflow_queue="sales")


def test_the_trunk_is_not_re_invited_when_the_bot_bridges_the_customer() -> None:
    # Connected-line updates turn the bot's bridge into a mid-call re-INVITE to the carrier.
    files = render(settings())
    pjsip = files["pjsip.conf"]
    template = pjsip[pjsip.index("[trunk-endpoint](!)"):pjsip.index("#include pjsip_telephony.conf")]
    assert "send_connected_line = no" in template and "direct_media = no" in template
    assert "[trunk](trunk-endpoint)" in files[PJSIP_FILE]


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


def _dialplan(files: dict[str, str]) -> str:
    return files["extensions.conf"] + "\n" + files[EXTENSIONS_FILE]


def test_no_value_a_lead_or_user_can_set_is_expanded_inside_an_expression() -> None:
    dialplan = "\n".join(_dialplan_lines(_dialplan(render(settings()))))
    expressions = _expressions(dialplan)
    assert len(expressions) > 5
    for expression in expressions:
        bare = _LENGTH_OF.sub("0", expression)  # ${LEN(${X})} is a number whatever X holds
        # CC_SIM_*: set only by the test simulators on their own Local channels.
        assert not re.search(r"CC_(?!SIM_)|PJSIP_HEADER|CALLERID|EXTEN", bare), expression


def test_text_from_leads_and_users_is_only_ever_copied_whole() -> None:
    # Inside IF(), ExecIf() or an application's arguments a , : ) " in the text would split it.
    for line in _dialplan_lines(_dialplan(render(settings()))):
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


def _agent_context(files: dict[str, str]) -> str:
    """The cc-agents context, whose extensions the static file and the rendered one both add."""
    parts = []
    for text in (files["extensions.conf"], files[EXTENSIONS_FILE] + "\n["):
        start = text.index("[cc-agents]\n")
        parts.append(text[start:text.index("\n[", start + 1)])
    return "\n".join(parts)


def test_agent_endpoints_dial_only_what_the_dial_policy_allows() -> None:
    files = render(settings())
    assert "context = cc-agents" in files["pjsip.conf"].split("[agent-auth]")[0]
    agents = _agent_context(files)
    assert "Dial(" not in agents and "@trunk" not in agents
    assert {"echo", "cc-pause", "cc-unpause"} == set(re.findall(r"^exten => ([^,]+),1,", agents, re.M))

    # Only a trunk that lets agents dial out adds its destination patterns (the first trunk wins).
    trunks = (TrunkSpec(name="trunk", host="127.0.0.1", destination_patterns=("_+91XXXXXXXXXX",),
                        agents_may_dial=True),
              TrunkSpec(name="other", host="127.0.0.2", destination_patterns=("_+91XXXXXXXXXX", "_+1NXXNXXXXXX"),
                        agents_may_dial=True),
              TrunkSpec(name="closed", host="127.0.0.3", destination_patterns=("_+44X.",)))  # fmt: skip
    agents = _agent_context(render(settings(telephony=telephony(trunks=trunks))))
    assert "exten => _+91XXXXXXXXXX,1,Dial(PJSIP/${EXTEN}@trunk,60)" in agents
    assert "exten => _+1NXXNXXXXXX,1,Dial(PJSIP/${EXTEN}@other,60)" in agents
    assert len(re.findall(r"Dial\(", agents)) == 2 and "_+44" not in agents


@pytest.mark.parametrize("pattern", ["_X.,1,Dial(PJSIP/x@evil)", "+919800000001", "_[0-9a]X", "_X;", "_X.)",
                                     "_"])  # fmt: skip
def test_a_dial_policy_pattern_must_be_a_plain_extension_pattern(pattern: str) -> None:
    with pytest.raises(ValidationError, match="dial pattern"):
        TrunkSpec(name="t", host="h", destination_patterns=(pattern,))
    TrunkSpec(name="t", host="h", destination_patterns=("_X.", "_+[1-9]XXX!", "_NXXNXXXXXX"))


def test_the_number_contexts_campaigns_may_dial_take_a_number_as_their_extension() -> None:
    from asterisk_config.dialling import NUMBER_CONTEXTS

    files = render(settings())
    assert "[trunk](trunk-endpoint)" in files[PJSIP_FILE]
    for context in NUMBER_CONTEXTS:
        section = files["extensions.conf"].split(f"[{context}]\n")[1].split("\n[")[0]
        assert "exten => _[c+].," in section  # takes a +number as its extension


@pytest.mark.parametrize(("pattern", "number", "matches"), [
    ("_+91XXXXXXXXXX", "+919800000001", True), ("_+91XXXXXXXXXX", "+9198000000011", False),
    ("_+91XXXXXXXXXX", "+449800000001", False), ("_+1NXXNXXXXXX", "+12125550100", True),
    ("_+1NXXNXXXXXX", "+11125550100", False), ("_+44X.", "+4420", True), ("_+44X.", "+442", False),
    ("_+[1-9]XXX!", "+123", False), ("_+[1-9]XXX!", "+1234", True), ("_+[1-9]XXX!", "+123456", True),
    ("_+Z.", "+0123", False),
])  # fmt: skip
def test_a_number_matches_a_destination_pattern_as_asterisk_would(pattern: str, number: str, matches: bool) -> None:
    from asterisk_config.dialling import matches_dial_pattern

    assert matches_dial_pattern(pattern, number) is matches


def test_every_music_class_has_twins_that_open_with_the_bridging_phrase_or_the_cant_hear_line() -> None:
    from asterisk_config.music import BRIDGING_PROMPT, UNHEARD_PROMPT, Opening, bridging_class, music_classes

    moh = render(settings())["musiconhold.conf"]
    assert music_classes() and bridging_class("default") not in music_classes()  # not a choice of its own
    for name in music_classes():
        for opening, prompt in ((Opening.BRIDGE, BRIDGING_PROMPT), (Opening.UNHEARD, UNHEARD_PROMPT)):
            twin = moh.split(f"[{bridging_class(name, opening)}]({name})\n")[1].split("\n[")[0]
            assert f"announcement = /srv/contactcenter/t1/spool/media/{prompt}" in twin.splitlines()

def test_asterisks_own_metrics_are_served_behind_basic_auth() -> None:
    files = render(settings(metrics_password="m3trics"))
    assert "load = res_prometheus.so" in files["modules.conf"]
    conf = dict(line.split(" = ", 1) for line in files["prometheus.conf"].splitlines() if " = " in line)
    assert conf["enabled"] == "yes" and conf["uri"] == "metrics"
    assert (conf["auth_username"], conf["auth_password"]) == ("prometheus", "m3trics")
    # An instance made without one (a test's) still never serves them without a password.
    first, second = settings(), settings()
    assert first.metrics_password and first.metrics_password != second.metrics_password
