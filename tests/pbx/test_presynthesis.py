"""Prompts synthesised while the call rings: what a flow can say to a lead, nearest first."""

from __future__ import annotations

import json
import threading
import time

import numpy as np

from pbx.api import Event, OriginateCall
from pbx.ari.client import AriError
from pbx.bot.factory import BotConversationFactory
from pbx.bot.presynthesis import PromptPreparer
from pbx.bot.prompt_plan import flow_prompts
from pbx.bot.turn_timing import TurnClock
from pbx.calls.engine import CallEngine
from pbx.dialog import library_flow
from pbx.dialog.library import SAMPLE_LEAD
from pbx.media.codec import ULAW
from tests.pbx.fakes import FakeAri
from workers.audio import Audio
from workers.tts.memory import PromptMemory
from workers.tts.service import PromptSynthesizer

RAVI = {**SAMPLE_LEAD, "first_name": "Ravi", "order_id": "B77"}


class SlowEngine:
    """Each prompt takes a moment; ``said`` lists the texts in the order they were synthesised."""

    name, voice, sample_rate = "slow", "v1", 8000

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.said: list[str] = []
        self.gate = gate

    def synthesize(self, text: str) -> Audio:
        if self.gate is not None:
            self.gate.wait(5)
        self.said.append(text)
        return Audio(np.full(800, 1000, np.int16), self.sample_rate)


def wait_idle(preparer: PromptPreparer, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not preparer.idle():
        assert time.monotonic() < deadline, preparer.stats
        time.sleep(0.01)


def test_the_plan_is_every_prompt_the_lead_can_hear_nearest_first() -> None:
    plan = flow_prompts(library_flow("order_confirmation"), RAVI)
    assert plan[0].depth == 0 and plan[0].text.startswith("Hello Ravi, this is an automated call about your order B77")
    texts = {p.text: p for p in plan}
    confirmed = texts["Thank you, Ravi. Your order B77 is confirmed. Goodbye."]
    assert confirmed.depth == 1 and confirmed.per_lead
    asking = texts["No problem. When would be a good time to call you back?"]
    assert asking.depth == 1 and not asking.per_lead
    # What the call captures cannot be known before it: "Noted: {callback_time}..." is not planned.
    assert not any(t.startswith("Noted:") or "I have noted" in t for t in texts)
    assert [p.depth for p in plan] == sorted(p.depth for p in plan)


def test_greetings_of_every_queued_lead_come_before_deeper_prompts(tmp_path) -> None:
    gate = threading.Event()
    engine = SlowEngine(gate)
    synth = PromptSynthesizer([engine], None, PromptMemory(10_000_000))
    preparer = PromptPreparer(synth, 8000)
    flow = library_flow("order_confirmation")
    first = preparer.prepare_call(flow, SAMPLE_LEAD)
    second = preparer.prepare_call(flow, RAVI)
    # The same for every lead: queued once.
    assert second < first
    gate.set()
    wait_idle(preparer)
    # (The engine is asked piece by piece: a greeting is four pieces.)
    greetings = [i for i, t in enumerate(engine.said) if "this is an automated call" in t]
    deeper = [i for i, t in enumerate(engine.said) if t.startswith(("Understood.", "Thank you,", "Okay."))]
    assert len(greetings) == 2 and greetings[1] < min(deeper)
    assert synth.cached("Thank you, Ravi. Your order B77 is confirmed. Goodbye.", 8000) is not None
    assert preparer.stats["failed"] == 0 and preparer.stats["made"] == first + second
    preparer.close()


def test_a_queue_far_behind_drops_its_deepest_prompts() -> None:
    gate = threading.Event()
    synth = PromptSynthesizer([SlowEngine(gate)], None, PromptMemory(10_000_000))
    preparer = PromptPreparer(synth, 8000, max_pending=3)
    preparer.prepare_phrases(["Deep one.", "Deep two."], depth=3)
    preparer.prepare_phrases(["Near one.", "Near two."], depth=0)
    assert preparer.stats["dropped"] >= 1
    gate.set()
    wait_idle(preparer)
    assert synth.cached("Near one.", 8000) is not None and synth.cached("Near two.", 8000) is not None
    preparer.close()


async def test_a_dialled_lead_has_its_prompts_prepared_and_a_failed_dial_not() -> None:
    engine = SlowEngine()
    synth = PromptSynthesizer([engine], None, PromptMemory(10_000_000))
    preparer = PromptPreparer(synth, 8000)
    factory = BotConversationFactory(speech=None, tts=synth, preparer=preparer)  # type: ignore[arg-type]
    ari, events = FakeAri(), []

    async def publish(event: Event) -> None:
        events.append(event)

    calls = CallEngine(ari, publish, "cc", factory, ULAW)
    await calls.originate(OriginateCall(endpoint="PJSIP/1@trunk", flow="order_confirmation", lead=dict(RAVI)))
    wait_idle(preparer)
    assert synth.cached(flow_prompts(library_flow("order_confirmation"), RAVI)[0].text, 8000) is not None

    ari.fail[("POST", "channels")] = AriError("POST", "channels", 500, "no")
    before = preparer.stats["queued"]
    await calls.originate(OriginateCall(endpoint="PJSIP/2@trunk", flow="order_confirmation",
                                        lead={**RAVI, "first_name": "Zoya"}))  # fmt: skip
    assert preparer.stats["queued"] == before
    preparer.close()


def test_a_turn_is_logged_once_its_reply_is_on_the_line(caplog) -> None:
    clock = TurnClock("call-9")
    clock.caller("heard")  # measured (for the metric), but not logged while the logger is off
    clock.bot("voiced")
    clock.frame_sent()
    assert caplog.records == []
    with caplog.at_level("DEBUG", logger="pbx.bot.turns"):
        for mark in ("heard", "understood"):
            clock.caller(mark)
        clock.bot("decided")
        clock.frame_sent()  # a frame of an earlier prompt: the reply's audio is not ready yet
        clock.bot("voiced")
        clock.frame_sent()
        clock.frame_sent()
    [record] = caplog.records
    marks = json.loads(record.getMessage())
    assert marks["call_id"] == "call-9"
    assert marks["heard"] <= marks["understood"] <= marks["decided"] <= marks["voiced"] <= marks["sent"]
