"""The desk phone's parsing: ctrl_tcp's netstrings, INVITE headers from baresip's trace, its account line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.simulator.baresip_ctrl import NetstringReader, PhoneError, PhoneEvent, netstring
from ops.simulator.desk_phone import DeskPhone, invite_headers


def test_netstrings_split_across_reads_come_out_whole() -> None:
    stream = netstring(b'{"event":true}') + netstring(b"") + netstring('{"x":"é"}'.encode())
    reader = NetstringReader()
    payloads = [p for i in range(0, len(stream), 5) for p in reader.feed(stream[i : i + 5])]
    assert payloads == [b'{"event":true}', b"", '{"x":"é"}'.encode()]


@pytest.mark.parametrize("garbage", [b"x1:a,", b"3:abcd"])
def test_a_malformed_netstring_is_an_error(garbage: bytes) -> None:
    with pytest.raises(PhoneError):
        NetstringReader().feed(garbage)


def test_an_event_message_becomes_a_phone_event() -> None:
    message = {"event": True, "type": "CALL_CLOSED", "class": "call", "param": "Connection reset by peer",
               "direction": "incoming", "peeruri": "sip:bob@example.com", "id": "73a1254658"}  # fmt: skip
    assert PhoneEvent.from_message(message) == PhoneEvent(
        "CALL_CLOSED", "Connection reset by peer", "73a1254658", "incoming", "sip:bob@example.com"
    )


def _traced(message: str) -> str:
    addresses = "UDP 127.0.0.1:5060 -> 127.0.0.1:40000\n"
    return "\x1b[36;1m#\n" + addresses + message.replace("\n", "\r\n") + "\x1b[;m\n"


TRACE = (
    "baresip is ready.\n"
    + _traced("REGISTER sip:127.0.0.1 SIP/2.0\nCall-ID: reg1\n\n")
    + _traced("INVITE sip:a@127.0.0.1 SIP/2.0\nVia: first\nVia: second\nCall-ID: call1\n"
              "X-CC-Call-Id: cc-1\nX-CC-Escalation-Score: \nContent-Length: 3\n\nv=0")
    + "call: answering call\n"
    # A re-INVITE of the same call: its headers are not the ones the call rang with.
    + _traced("INVITE sip:a@127.0.0.1 SIP/2.0\nCall-ID: call1\nX-CC-Call-Id: changed\n\n")
)  # fmt: skip


def test_invite_headers_are_those_of_the_first_invite_of_the_call() -> None:
    headers = invite_headers(TRACE, "call1")
    assert headers["X-CC-Call-Id"] == "cc-1"
    assert headers["X-CC-Escalation-Score"] == ""
    assert headers["Via"] == "first"
    assert "v=0" not in headers.values()


def test_no_invite_no_headers() -> None:
    assert invite_headers(TRACE, "reg1") == {}
    assert invite_headers("", "call1") == {}


def test_a_password_that_would_break_the_account_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="account line"):
        DeskPhone("agent2", "secret;answermode=auto", 5060, tmp_path)
