"""Answering-machine detection on real calls: Asterisk's AMD() decides, pbx acts on the verdict.

Three simulated called parties (dialplan context cc-sim): a person who says "hello" and
waits, and two answering machines (a 5.7 s greeting, a beep, then recording). A campaign that
leaves messages must leave its synthesised message on the machine's recording; one that
retries must just hang up; the person must get the bot.
"""

from __future__ import annotations

import asyncio
import os
import wave
from pathlib import Path

import aiohttp
import numpy as np
import pytest

from ops.simulator.scripted_bot import QuietConversation
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import CallAnswered, CallEnded, Event, OriginateCall
from pbx.ari.client import HttpAriRest
from pbx.bot.prompt_files import PromptFiles
from pbx.calls.engine import CallEngine
from pbx.media.codec import ULAW
from tests.realstack.harness import ari_app, wait_for_event
from workers.settings import SpeechSettings
from workers.tts.registry import create_prompt_synthesizer

pytestmark = pytest.mark.realstack

MESSAGE = "Hello, this is Shopkart about your order. Please call us back on the number we called from."


class PersonGreeter(QuietConversation):
    """The bot's stand-in: says nothing, hangs up after a moment, remembers it was started."""

    outcome = ("confirmed", "greeted")

    def __init__(self, started: list[str]) -> None:
        self.started = started

    async def start(self, io) -> None:
        self.started.append(io.call_id)
        await asyncio.sleep(0.5)
        await io.hangup("confirmed")


def _voiced_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
        rate = w.getframerate()
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    loud = np.sqrt((frames**2).mean(axis=1)) > 300
    return float(loud.sum()) * 160 / rate


def test_machines_get_the_message_or_a_retry_and_people_get_the_bot(asterisk_server: AsteriskInstance,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    s = asterisk_server.settings
    spool = asterisk_server.root / s.instance_dir.lstrip("/") / "spool"
    tts = create_prompt_synthesizer(SpeechSettings.from_env({**os.environ, "CC_TTS_CACHE_DIR": str(tmp_path / "tts")}))
    prompt_files = PromptFiles(tts, spool / "media", f"{s.instance_dir}/spool/media")
    events: list[Event] = []
    started: list[str] = []
    recording = f"amd-{os.getpid()}"

    async def publish(event: Event) -> None:
        events.append(event)

    def command(endpoint: str, action: str) -> OriginateCall:
        variables = {"CC_AMD": "1", "CC_AMD_ACTION": action, "CC_VOICEMAIL_MESSAGE": MESSAGE,
                     "__CC_SIM_RECORDING": f"{s.instance_dir}/spool/{recording}-{action}"}  # fmt: skip
        return OriginateCall(endpoint=endpoint, flow="order_confirmation", variables=variables)

    calls = {
        "person": command("Local/person@cc-sim", "voicemail"),
        "machine_message": command("Local/machine@cc-sim", "voicemail"),
        "machine_retry": command("Local/machine@cc-sim", "retry"),
    }

    def ended(call_id: str):
        return lambda e: isinstance(e, CallEnded) and e.call_id == call_id

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk_server.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: PersonGreeter(started), ULAW, "support",
                                prompt_files)  # fmt: skip
            ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                async with ari_app(session, asterisk_server, s.ari_app, engine.on_event):
                    for c in calls.values():
                        await engine.originate(c)
                    for c in calls.values():
                        await wait_for_event(events, ended(c.call_id), 60)
            finally:
                ami.close()
                listener.cancel()

    try:
        asyncio.run(go())
    except TimeoutError:
        story = "\n".join(f"  {e.type} {e.call_id} {getattr(e, 'outcome', '')} {getattr(e, 'detail', '')}" for e in events)
        raise AssertionError(f"calls did not end:\n{story}\n{asterisk_server.log_tail(200)}") from None

    outcome = {name: next(e for e in events if ended(c.call_id)(e)) for name, c in calls.items()}
    answered = {e.call_id: e for e in events if isinstance(e, CallAnswered)}

    # The person: AMD says HUMAN and the bot takes the call.
    assert answered[calls["person"].call_id].amd == "HUMAN"
    assert started == [calls["person"].call_id]
    assert outcome["person"].outcome == "confirmed"

    # Machines never reach the bot and are not counted as answered by a person.
    for name in ("machine_message", "machine_retry"):
        assert calls[name].call_id not in answered, name
        assert outcome[name].outcome == "voicemail", (name, outcome[name])
    assert outcome["machine_message"].detail.endswith("message left")
    assert "no message" in outcome["machine_retry"].detail

    # What the machine recorded: our synthesised message after its beep (seconds of speech),
    # and next to nothing from the campaign that hangs up instead.
    message_file = spool / f"{recording}-voicemail.wav"
    assert message_file.exists(), asterisk_server.log_tail(150)
    left = _voiced_seconds(message_file)
    assert left > 2.0, f"only {left:.1f} s of message on the machine"
    retry_file = spool / f"{recording}-retry.wav"
    assert not retry_file.exists() or _voiced_seconds(retry_file) < 0.5
