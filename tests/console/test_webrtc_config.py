"""What the rendered Asterisk config gives a browser softphone (no Asterisk needed)."""

from __future__ import annotations

from asterisk_config.render import AsteriskSettings, render
from asterisk_config.telephony import EXTENSIONS_FILE, PJSIP_FILE, QUEUES_FILE
from contactcenter.console.sip import DEFAULT_WEB_AGENT
from pbx.api import AgentPhone, QueueMember, QueueSpec, Telephony, md5_cred


def web_telephony() -> Telephony:
    web = AgentPhone(name=DEFAULT_WEB_AGENT, md5_cred=md5_cred(DEFAULT_WEB_AGENT, "webpass1"), transport="webrtc")
    return Telephony(agents=(web,), queues=(QueueSpec(name="support", members=(QueueMember(agent=web.name),)),))


def rendered() -> dict[str, str]:
    return render(AsteriskSettings(
        instance="t1", instance_dir="/srv/contactcenter/t1", http_port=18088, ami_port=15038, sip_port=15060,
        rtp_start=20000, rtp_end=20100, web_port=18000, ari_app="app", ari_user="u", ari_password="p",
        ami_user="u", ami_secret="s", telephony=web_telephony(),
    ))  # fmt: skip


def test_webrtc_endpoint_websocket_transport_and_ice() -> None:
    files = rendered()
    pjsip = files["pjsip.conf"]
    rendered_pjsip = files[PJSIP_FILE]
    section = rendered_pjsip[rendered_pjsip.index(f"[{DEFAULT_WEB_AGENT}](agent-endpoint)"):]
    section = section[: section.index("\n\n")]
    assert "webrtc = yes" in section and "dtls_auto_generate_cert = yes" in section
    assert "protocol = ws" in pjsip
    assert "icesupport = yes" in files["rtp.conf"]
    assert "bindaddr = 127.0.0.1" in files["http.conf"]
    modules = files["modules.conf"]
    for module in ("res_http_websocket.so", "res_pjsip_transport_websocket.so", "res_srtp.so", "func_uri.so",
                   "codec_opus_open_source.so"):  # fmt: skip
        assert f"load = {module}" in modules
    assert f"member => PJSIP/{DEFAULT_WEB_AGENT},0,{DEFAULT_WEB_AGENT},PJSIP/{DEFAULT_WEB_AGENT}" in files[QUEUES_FILE]


def test_screen_pop_headers_and_state_codes_in_the_dialplan() -> None:
    files = rendered()
    dialplan = files["extensions.conf"] + files[EXTENSIONS_FILE]
    for header in ("X-CC-Call-Id", "X-CC-Escalation-Reason", "X-CC-Escalation-Score", "X-CC-Queue", "X-CC-Lead-Id",
                   "X-CC-Campaign-Id", "X-CC-Summary"):  # fmt: skip
        assert f"PJSIP_HEADER(add,{header})" in dialplan
    assert "Set(__CC_ESCALATION_SUMMARY=${CC_ESCALATION_SUMMARY})" in dialplan
    assert " same => n,PauseQueueMember(,PJSIP/${CHANNEL(endpoint)},,${CC_PAUSE_REASON})" in dialplan
    # An agent's phone cannot pause itself as pbx's pre-alert hold (which pbx alone undoes).
    assert "Set(CC_PAUSE_REASON=${STRREPLACE(CC_PAUSE_REASON,reserved,paused)})" in dialplan
    assert "exten => cc-unpause,1,UnpauseQueueMember(,PJSIP/${CHANNEL(endpoint)})" in dialplan
