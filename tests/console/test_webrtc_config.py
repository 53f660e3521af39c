"""What the rendered Asterisk config gives a browser softphone (no Asterisk needed)."""

from __future__ import annotations

from asterisk_config.render import AsteriskSettings, render
from asterisk_config.topology import DEFAULT_WEB_AGENT, default_topology, webrtc_password


def rendered() -> dict[str, str]:
    return render(AsteriskSettings(
        instance="t1", instance_dir="/srv/contactcenter/t1", http_port=18088, ami_port=15038, sip_port=15060,
        rtp_start=20000, rtp_end=20100, web_port=18000, ari_app="app", ari_user="u", ari_password="p",
        ami_user="u", ami_secret="s", topology=default_topology("agentpass1"),
    ))  # fmt: skip


def test_the_default_topology_has_a_webrtc_agent_in_the_support_queue() -> None:
    topology = default_topology("agentpass1")
    web = next(a for a in topology.agents if a.name == DEFAULT_WEB_AGENT)
    assert web.webrtc and web.password == webrtc_password("agentpass1", DEFAULT_WEB_AGENT)
    assert DEFAULT_WEB_AGENT in topology.queues[0].members
    # agent1/agent2 are as they were: plain SIP with the shared agent password.
    assert [(a.name, a.webrtc, a.password) for a in topology.agents[:2]] == [
        ("agent1", False, "agentpass1"), ("agent2", False, "agentpass1")]


def test_webrtc_endpoint_websocket_transport_and_ice() -> None:
    files = rendered()
    pjsip = files["pjsip.conf"]
    section = pjsip[pjsip.index(f"[{DEFAULT_WEB_AGENT}](agent-endpoint)"):]
    section = section[: section.index("\n\n")]
    assert "webrtc = yes" in section and "dtls_auto_generate_cert = yes" in section
    assert "protocol = ws" in pjsip
    assert "icesupport = yes" in files["rtp.conf"]
    assert "bindaddr = 127.0.0.1" in files["http.conf"]
    modules = files["modules.conf"]
    for module in ("res_http_websocket.so", "res_pjsip_transport_websocket.so", "res_srtp.so", "func_uri.so",
                   "codec_opus_open_source.so"):  # fmt: skip
        assert f"load = {module}" in modules
    assert f"member => PJSIP/{DEFAULT_WEB_AGENT},0,{DEFAULT_WEB_AGENT},PJSIP/{DEFAULT_WEB_AGENT}" in files["queues.conf"]


def test_screen_pop_headers_and_state_codes_in_the_dialplan() -> None:
    dialplan = rendered()["extensions.conf"]
    for header in ("X-CC-Call-Id", "X-CC-Escalation-Reason", "X-CC-Escalation-Score", "X-CC-Queue", "X-CC-Lead-Id",
                   "X-CC-Campaign-Id", "X-CC-Summary"):  # fmt: skip
        assert f"PJSIP_HEADER(add,{header})" in dialplan
    assert "Set(__CC_ESCALATION_SUMMARY=${CC_ESCALATION_SUMMARY})" in dialplan
    assert "exten => cc-pause,1,PauseQueueMember(,PJSIP/${CHANNEL(endpoint)}" in dialplan
    assert "exten => cc-unpause,1,UnpauseQueueMember(,PJSIP/${CHANNEL(endpoint)})" in dialplan
