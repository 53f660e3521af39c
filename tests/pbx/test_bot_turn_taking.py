"""When the bot takes its turn: at once after a complete "yes", later after "umm", never twice.

Speech arrives as the live path delivers it: a speculative guess at the caller's first pause
(a partial marked ``speculative``), then the final when the VAD's hangover ends.
"""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import numpy as np

from pbx.bot.conversation import BotConversation
from tests.pbx.fakes import FakeCallIO, FakeSpeech, FakeTts
from tests.pbx.test_bot_conversation import bot
from workers.assessment import UtteranceAssessment
from workers.prosody import CallerBaseline
from workers.turn_end import COMPLETE_AFTER_S, UNFINISHED_HOLD_S
from workers.vad import TAIL_MS, SpeechResumed

PAUSE_END_S = TAIL_MS / 1000  # the guess covers the speech plus the first TAIL_MS of silence


def deliver(speech: FakeSpeech, text: str, *, final: bool, speculative: bool, uid: str = "u-1") -> None:
    assert speech.session is not None
    speech.session.sink(UtteranceAssessment(
        call_id="call-1", utterance_id=uid, is_final=final, text=text, words=[], asr_confidence=0.9, engine="fake",
        start_s=0.0, end_s=PAUSE_END_S, prosody=None, prosody_z=None, sentiment=None, quality=None,
        baseline=CallerBaseline(),
    ), SimpleNamespace(speculative=speculative))  # fmt: skip


async def started() -> tuple[FakeSpeech, FakeTts, FakeCallIO, BotConversation]:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)
    assert len(tts.said) == 1  # the greeting
    return speech, tts, io, conversation


async def test_a_complete_yes_is_answered_at_its_pause_without_waiting_for_the_final() -> None:
    speech, tts, io, conversation = await started()
    heard = time.monotonic()
    deliver(speech, "Yes.", final=False, speculative=True)
    await io.until(lambda: len(tts.said) >= 2)
    waited = time.monotonic() - heard
    assert COMPLETE_AFTER_S - PAUSE_END_S - 0.05 <= waited < COMPLETE_AFTER_S + 0.3
    deliver(speech, "Yes.", final=True, speculative=False)  # the VAD's end, later
    await asyncio.sleep(0.3)
    assert len(tts.said) == 2 and io.hangups  # answered once: the flow confirmed and hung up
    await conversation.close()


async def test_the_caller_going_on_after_the_pause_cancels_the_early_answer() -> None:
    speech, tts, io, conversation = await started()
    deliver(speech, "Yes.", final=False, speculative=True)
    await asyncio.sleep(0.05)  # the guess reached the loop: its early answer is scheduled
    assert speech.session is not None
    speech.session.feed_samples = lambda samples: [SpeechResumed(0)]  # type: ignore[method-assign]
    conversation.on_audio(np.zeros(160, np.int16))
    await asyncio.sleep(COMPLETE_AFTER_S + 0.2)
    assert len(tts.said) == 1  # still listening
    await conversation.close()


async def test_a_plain_partial_or_an_open_guess_does_not_take_the_turn() -> None:
    speech, tts, io, conversation = await started()
    deliver(speech, "Yes.", final=False, speculative=False)
    deliver(speech, "I would like to check my order status", final=False, speculative=True, uid="u-2")
    await asyncio.sleep(COMPLETE_AFTER_S + 0.2)
    assert len(tts.said) == 1
    await conversation.close()


async def test_an_unfinished_final_waits_for_more_then_is_answered() -> None:
    speech, tts, io, conversation = await started()
    heard = time.monotonic()
    deliver(speech, "Yes, and", final=True, speculative=False)
    await asyncio.sleep(UNFINISHED_HOLD_S / 2)
    assert len(tts.said) == 1  # held: the caller may go on
    await io.until(lambda: len(tts.said) >= 2, timeout_s=UNFINISHED_HOLD_S + 2)
    assert time.monotonic() - heard >= UNFINISHED_HOLD_S - 0.05
    await conversation.close()


async def test_an_open_final_is_answered_at_once() -> None:
    speech, tts, io, conversation = await started()
    heard = time.monotonic()
    deliver(speech, "yes please go ahead and deliver it", final=True, speculative=False)
    await io.until(lambda: len(tts.said) >= 2)
    assert time.monotonic() - heard < 0.2
    await conversation.close()
