"""An agent's desk phone: one baresip process that registers with the agent's SIP credentials.

It registers (UDP or TCP) like a phone on the agent's desk, rings when the queue calls it,
answers (by itself, or when told), and hangs up; ``sipp`` cannot register and take an unknown
INVITE in one scenario. Driven through baresip's ``ctrl_tcp`` events (``ops.simulator.baresip_ctrl``).

baresip 1.0.0 puts no SIP headers in its events, so the headers of a call's INVITE (the
dialplan's X-CC-*) are read from the SIP trace (``-s``) in the phone's log.

Every socket is on 127.0.0.1 (SIP on ports the kernel picks, the control port from
``free_port``) except the two of libre's DNS client, bound to 0.0.0.0 and :: by libre itself
(not configurable), which send nothing: the registrar is an address, there is no name to resolve.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ops.simulator.baresip_ctrl import CtrlConnection, PhoneError, PhoneEvent
from ops.stack.processes import ManagedProcess, ProcessSpec, free_port

__all__ = ["DeskPhone", "PhoneCall", "PhoneError", "invite_headers"]

MODULE_DIR = Path("/usr/lib/baresip/modules")
# How baresip's SIP trace (-s) opens and closes each message it sent or received.
_TRACE_START = "\x1b[36;1m#\n"
_TRACE_END = "\x1b[;m"
# The events of one call that say it reached the phone (with auto-answer baresip sends no CALL_INCOMING).
# Characters that would end the password inside baresip's account line (<uri>;auth_pass=...;...).
_ACCOUNT_UNSAFE = re.compile(r"[;,<>\"\s]")
_CALL_EVENTS = frozenset({"CALL_INCOMING", "CALL_REMOTE_SDP", "CALL_ESTABLISHED"})


@dataclass(frozen=True)
class PhoneCall:
    """A call that reached the phone: its SIP Call-ID, who called, and its INVITE's headers."""

    call_id: str
    peer_uri: str
    # Header name as sent -> value; a header sent twice keeps its first value.
    headers: dict[str, str] = field(default_factory=dict)


def invite_headers(trace: str, call_id: str) -> dict[str, str]:
    """The headers of the first INVITE with ``call_id`` in a baresip SIP trace; {} if none is there."""
    for block in trace.split(_TRACE_START)[1:]:
        # The first line names the transport and addresses; the SIP message follows.
        message = block.split(_TRACE_END, 1)[0].split("\n", 1)[-1]
        head = message.replace("\r\n", "\n").split("\n\n", 1)[0].split("\n")
        if not head[0].startswith("INVITE "):
            continue
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip(), value.strip())
        if headers.get("Call-ID") == call_id:
            return headers
    return {}


class DeskPhone:
    """``name``'s desk phone, registering at ``registrar_host``:``registrar_port``. For example::

        phone = DeskPhone("agent2", password, asterisk.settings.sip_port, tmp_path)
        phone.start(); phone.registered()       # '200 OK'
        call = phone.answered_call(timeout=10)  # PhoneCall(call_id=..., headers={'X-CC-Call-Id': ...})
        phone.hangup(); phone.stop()
    """

    def __init__(
        self,
        name: str,
        password: str,
        registrar_port: int,
        work_dir: Path,
        transport: Literal["udp", "tcp"] = "udp",
        auto_answer: bool = True,
        registrar_host: str = "127.0.0.1",
        register_interval_s: int = 600,
        tone_hz: int = 440,
        record_dir: Path | None = None,
    ) -> None:
        """``tone_hz``: what the phone says on every call (a sine, told apart from other phones
        by its pitch); ``record_dir``: where baresip's sndfile module writes each call's audio,
        ``dump-<time>-dec.wav`` what the phone heard and ``-enc.wav`` what it sent (``recordings``)."""
        if _ACCOUNT_UNSAFE.search(password):
            raise ValueError("the password would break baresip's account line (;,<>\" or whitespace)")
        baresip = shutil.which("baresip")
        if baresip is None:
            raise RuntimeError("baresip is not installed (Debian package baresip-core); run `make setup`")
        self.name = name
        self.work_dir = work_dir
        self.tone_hz = tone_hz
        self.record_dir = record_dir
        self.control_port = free_port()
        uri_params = ";transport=tcp" if transport == "tcp" else ""
        self._account = (
            f"<sip:{name}@{registrar_host}:{registrar_port}{uri_params}>;auth_pass={password}"
            f";answermode={'auto' if auto_answer else 'manual'};regint={register_interval_s}"
        )
        self.log_file = work_dir / f"{name}-baresip.log"
        # stdbuf: baresip prints its SIP trace with stdio, block-buffered into a file otherwise.
        argv = ("stdbuf", "-oL", baresip, "-f", str(work_dir), "-s")
        self.process = ManagedProcess(
            ProcessSpec(f"baresip-{name}", argv, self.log_file, work_dir / f"{name}-baresip.pid", work_dir)
        )
        self._ctrl: CtrlConnection | None = None
        # Call-IDs already handed out by ringing_call / answered_call, so each returns the next call.
        self._rung: set[str] = set()
        self._answered: set[str] = set()

    def start(self, timeout: float = 10.0) -> None:
        """Start baresip and create the phone's account (which REGISTERs at once)."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
        (self.work_dir / "config").write_text(self._config())
        self.process.start()
        try:
            self._ctrl = CtrlConnection.connect(self.control_port, timeout, alive=self.process.running)
            # The account comes over the control connection (no accounts file, no account module):
            # it REGISTERs once we listen, so its outcome is an event we receive.
            self._ctrl.command("uanew", self._account)
        except PhoneError as exc:
            self.stop()
            raise PhoneError(f"{self.name}'s phone did not start: {exc}\n{self.process.log_tail()}") from None

    def stop(self) -> None:
        """Stop baresip (SIGTERM: it unregisters first)."""
        if self._ctrl is not None:
            self._ctrl.close()
            self._ctrl = None
        self.process.stop(timeout=5)

    # Registration

    def registered(self, timeout: float = 10.0) -> str:
        """The registrar's answer (``'200 OK'``); ``PhoneError`` if it refused the phone instead."""
        event = self._registration(timeout)
        if event.type != "REGISTER_OK":
            raise PhoneError(f"{self.name}'s registration was refused: {event.param}")
        return event.param

    def registration_failed(self, timeout: float = 10.0) -> str:
        """The registrar's refusal (e.g. ``'401 Unauthorized'``); ``PhoneError`` if it accepted the phone."""
        event = self._registration(timeout)
        if event.type != "REGISTER_FAIL":
            raise PhoneError(f"{self.name}'s registration was accepted ({event.param})")
        return event.param

    def _registration(self, timeout: float) -> PhoneEvent:
        """The first outcome of the phone's REGISTER (baresip retries a refused one later)."""
        return self._ctrl_or_fail().wait_event(
            lambda e: e.type in ("REGISTER_OK", "REGISTER_FAIL"), timeout, "a registration outcome"
        )

    # Calls

    def ringing_call(self, timeout: float = 10.0) -> PhoneCall:
        """The next call that reached the phone (answered or not) that no earlier call returned."""
        return self._next_call(_CALL_EVENTS, timeout, "an incoming call", self._rung)

    def answered_call(self, timeout: float = 10.0) -> PhoneCall:
        """The next call the phone answered (established) that no earlier call returned."""
        return self._next_call(frozenset({"CALL_ESTABLISHED"}), timeout, "an answered call", self._answered)

    def calls_answered(self) -> list[PhoneCall]:
        """Every call established on this phone so far, oldest first."""
        seen: dict[str, PhoneEvent] = {}
        for event in self._ctrl_or_fail().events():
            if event.type == "CALL_ESTABLISHED" and event.direction == "incoming":
                seen.setdefault(event.call_id, event)
        return [self._call(event) for event in seen.values()]

    def call_closed(self, call_id: str, timeout: float = 10.0) -> str:
        """Why the call ended (baresip's words, e.g. 'Connection reset by peer'), once it has."""
        event = self._ctrl_or_fail().wait_event(
            lambda e: e.type == "CALL_CLOSED" and e.call_id == call_id, timeout, f"the end of call {call_id}"
        )
        return event.param

    def answer(self) -> None:
        """Answer the ringing call (a phone made with ``auto_answer=False``)."""
        self._ctrl_or_fail().command("accept")

    def hangup(self) -> None:
        """Hang up the current call."""
        self._ctrl_or_fail().command("hangup")

    def events(self) -> list[PhoneEvent]:
        return self._ctrl_or_fail().events()

    def recordings(self, heard: bool = True) -> list[Path]:
        """The audio files of this phone's calls, oldest first: what it heard (``heard``) or sent.
        sndfile writes them while the call lasts (the WAV header is completed at its end)."""
        if self.record_dir is None:
            raise PhoneError(f"{self.name}'s phone records nothing (no record_dir)")
        return sorted(self.record_dir.glob(f"dump-*-{'dec' if heard else 'enc'}.wav"), key=lambda p: p.stat().st_mtime_ns)

    def invite_headers(self, call_id: str) -> dict[str, str]:
        try:
            return invite_headers(self.log_file.read_text(errors="replace"), call_id)
        except FileNotFoundError:
            return {}

    # Internals

    def _next_call(self, types: frozenset[str], timeout: float, what: str, returned: set[str]) -> PhoneCall:
        event = self._ctrl_or_fail().wait_event(
            lambda e: e.type in types and e.direction == "incoming" and e.call_id not in returned,
            timeout,
            what,
        )
        returned.add(event.call_id)
        return self._call(event)

    def _call(self, event: PhoneEvent) -> PhoneCall:
        headers = self.invite_headers(event.call_id)
        return PhoneCall(call_id=event.call_id, peer_uri=event.peer_uri, headers=headers)

    def _ctrl_or_fail(self) -> CtrlConnection:
        if self._ctrl is None:
            raise PhoneError(f"{self.name}'s phone is not started")
        return self._ctrl

    def _config(self) -> str:
        lines = {
            "poll_method": "epoll",
            # Port 0: the kernel picks free ports for UDP and TCP (TLS would take the next one up).
            "sip_listen": "127.0.0.1:0",
            "net_interface": "127.0.0.1",
            "call_max_calls": "4",
            # No sound card: a tone to the caller (ausine makes only 48 kHz stereo, resampled to
            # the codec), and what the caller says goes to a bridge nobody reads.
            "audio_source": f"ausine,{self.tone_hz}",
            "ausrc_srate": "48000",
            "ausrc_channels": "2",
            "audio_player": "aubridge,sink",
            "audio_alert": "aubridge,sink",
            "audio_path": "/usr/share/baresip",
            "module_path": str(MODULE_DIR),
            "statmode_default": "off",  # no per-packet status line in the log
            "ctrl_tcp_listen": f"127.0.0.1:{self.control_port}",
        }
        modules = ["g711.so", "ausine.so", "aubridge.so"]
        if self.record_dir is not None:
            lines["snd_path"] = str(self.record_dir)
            modules.append("sndfile.so")  # an audio filter: each call's streams into WAV files
        # menu: the commands (uanew, accept, hangup); ctrl_tcp: how we send them and hear events.
        apps = ["menu.so", "ctrl_tcp.so"]
        text = "".join(f"{key}\t{value}\n" for key, value in lines.items())
        text += "".join(f"module\t{m}\n" for m in modules) + "".join(f"module_app\t{m}\n" for m in apps)
        return text
