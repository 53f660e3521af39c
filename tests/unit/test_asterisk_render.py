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
