"""The bot on a scripted call: turn-taking, barge-in, and VoiceWatch deciding before the dialog.

No models and no servers: speech arrives as assessments (what the ASR thread would deliver),
prompts are silence, and the call is a ``FakeCallIO`` that records what the bot does to it.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from pbx.api import DecisionMade, UtteranceHeard
from pbx.bot.context import monitor_context
from pbx.bot.conversation import BotCallSpec, BotConversation
from pbx.bot.phrases import BRIDGING_PHRASE, NO_AGENT_PHRASE
from pbx.dialog.library import SAMPLE_LEAD, library_flow
from tests.pbx.fakes import FakeCallIO, FakeSpeech, FakeTts
from voicewatch import Policy

GREETING_START = "Hello Asha, this is an automated call about your order"


def bot(speech: FakeSpeech, tts: FakeTts) -> BotConversation:
    flow = library_flow("order_confirmation")
    lead = dict(SAMPLE_LEAD)
    spec = BotCallSpec(call_id="call-1", flow=flow, lead=lead, policy=Policy.coerce(None),
                       context=monitor_context(lead, campaign=flow.name), escalation_queue="support")  # fmt: skip
    return BotConversation(spec, speech, tts)


def loud_frame(sample_rate: int = 8000) -> np.ndarray:
    t = np.arange(sample_rate // 50) / sample_rate
    return (np.sin(2 * np.pi * 300 * t) * 6000).astype(np.int16)


async def test_the_bot_greets_the_customer_answers_and_the_bot_replies_then_hangs_up() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)
    assert len(tts.said) == 1 and tts.said[0].startswith(GREETING_START) and len(io.plays) == 1
    assert io.hangups == []  # the bot waits for its turn

    speech.hear("yes please go ahead and deliver it")
    await io.until(lambda: io.hangups)

    assert tts.said[1] == "Thank you, Asha. Your order A1234 is confirmed. Goodbye."
    assert len(io.plays) == 2 and io.escalations == []
    # The bot hangs up with its outcome: the engine records it as the call's.
    assert io.hangups == [("confirmed", "")] and conversation.outcome == ("confirmed", "")
    spoken = [(e.speaker, e.text) for e in io.events if isinstance(e, UtteranceHeard)]
    assert [speaker for speaker, _ in spoken] == ["bot", "customer", "bot"]
    assert spoken[1] == ("customer", "yes please go ahead and deliver it")
    await conversation.close()
    assert speech.session is not None and speech.session.closed


async def test_the_customer_talking_over_the_greeting_stops_it() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO(hold_playback=True)
    conversation = bot(speech, tts)
    started = asyncio.create_task(conversation.start(io))
    await io.until(lambda: io.playing)

    for _ in range(5):  # a cough, not yet speech: the greeting goes on
        conversation.on_audio(loud_frame())
    assert io.stops == 0 and io.playing

    for _ in range(12):  # the echo guard's confirmation: clearly the caller, for 240 ms
        conversation.on_audio(loud_frame())
    assert io.stops == 1
    await asyncio.wait_for(started, 5)  # the greeting's turn unwound; the bot listens
    assert not io.playing and len(io.plays) == 1 and io.hangups == [] and io.escalations == []
    assert speech.session is not None and speech.session.frames == 17  # every frame reached the recogniser
    await conversation.close()


async def test_a_quiet_caller_does_not_barge_in() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO(hold_playback=True)
    conversation = bot(speech, tts)
    started = asyncio.create_task(conversation.start(io))
    await io.until(lambda: io.playing)
    for _ in range(30):
        conversation.on_audio(np.full(160, 40, dtype=np.int16))  # line noise under the echo guard's floor
    assert io.stops == 0 and io.playing
    io.stop_playback()
    await asyncio.wait_for(started, 5)
    await conversation.close()


@pytest.mark.parametrize("final", [True, False], ids=["final", "partial"])
async def test_voicewatch_escalates_before_the_dialog_answers(final: bool) -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)

    speech.hear("I want to speak to a manager right now", final=final)
    await io.until(lambda: io.escalations)

    # The dialog never answered, and the bot says nothing more: the queue's music class plays
    # the bridging phrase while agents ring, so the join waits for no speech.
    assert tts.said[1:] == []
    assert [e.text for e in io.events if isinstance(e, UtteranceHeard) and e.speaker == "bot"][-1] == BRIDGING_PHRASE
    [(queue, reason, score, summary)] = io.escalations
    assert reason == "human_request" and queue and score > 0 and summary
    decisions = [e for e in io.events if isinstance(e, DecisionMade)]
    assert decisions[-1].escalate and decisions[-1].reason == "human_request"
    assert conversation.outcome == ("escalated", "human_request") and io.hangups == []
    await conversation.close()


async def test_the_decision_stops_the_bot_mid_sentence_and_joins_the_queue_at_once() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO(hold_playback=True)
    conversation = bot(speech, tts)
    started = asyncio.create_task(conversation.start(io))
    await io.until(lambda: io.playing)  # the greeting is still playing

    speech.hear("I want to speak to a manager right now", final=False)
    await io.until(lambda: io.escalations)

    assert io.stops == 1  # stopped before the escalation, not after a phrase
    await asyncio.wait_for(started, 5)  # the greeting's turn unwinds and says nothing more
    assert not io.playing and tts.said[1:] == [] and len(io.plays) == 1
    await conversation.close()


async def test_back_from_a_queue_nobody_answered_the_bot_says_so_and_hangs_up_as_a_callback() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)
    await conversation.on_queue_timeout("sales", "TIMEOUT")
    assert tts.said[-1] == NO_AGENT_PHRASE
    assert io.hangups == [("callback", "no agent answered in sales (TIMEOUT)")]
    await conversation.close()


async def test_a_late_transcript_while_the_bot_says_goodbye_does_not_escalate_again() -> None:
    """Back from a queue nobody answered, the bot says its safe-harbour message and hangs up as a
    callback: the final of the sentence that escalated, delivered late by a busy recogniser (or
    anything the caller says meanwhile), must not send the call to the queue a second time."""
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO(hold_playback=True)
    conversation = bot(speech, tts)
    started = asyncio.create_task(conversation.start(io))
    await io.until(lambda: io.playing)
    speech.hear("I want to speak to a person", final=False)
    await io.until(lambda: io.escalations)
    await asyncio.wait_for(started, 5)

    goodbye = asyncio.create_task(conversation.on_queue_timeout("sales", "TIMEOUT"))
    await io.until(lambda: io.playing)  # the safe-harbour message is playing
    speech.hear("I want to speak to a person", final=True)
    await asyncio.sleep(0.05)
    io.stop_playback()
    await asyncio.wait_for(goodbye, 5)
    assert len(io.escalations) == 1
    assert io.hangups == [("callback", "no agent answered in sales (TIMEOUT)")]
    await conversation.close()
