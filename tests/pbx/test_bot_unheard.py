"""A caller nobody could hear (speech workers silent past the deadline): the bot hands over with
VoiceWatch's monitor_blind at once, Asterisk telling the caller why as agents ring; it never
waits in silence nor answers unheard words."""

from __future__ import annotations

from asterisk_config.music import Opening
from pbx.api import DecisionMade, UtteranceHeard
from pbx.bot.context import monitor_context
from pbx.bot.conversation import BotCallSpec, BotConversation
from pbx.bot.phrases import CANNOT_HEAR_PHRASE
from pbx.dialog.library import SAMPLE_LEAD, library_flow
from tests.pbx.fakes import FakeCallIO, FakeSpeech, FakeTts
from voicewatch import Policy
from workers.assessment import UtteranceAssessment
from workers.prosody import CallerBaseline
from workers.remote.client import MONITOR_BLIND


def bot(speech: FakeSpeech, tts: FakeTts, policy: dict | None = None) -> BotConversation:
    flow = library_flow("order_confirmation")
    lead = dict(SAMPLE_LEAD)
    spec = BotCallSpec(call_id="call-1", flow=flow, lead=lead, policy=Policy.coerce(policy),
                       context=monitor_context(lead, campaign=flow.name), escalation_queue="support")  # fmt: skip
    return BotConversation(spec, speech, tts)


def unheard(speech: FakeSpeech) -> None:
    assert speech.session is not None
    speech.session.sink(UtteranceAssessment(
        call_id="call-1", utterance_id="call-1-0000", is_final=True, text="", words=[], asr_confidence=None,
        engine="remote", start_s=1.0, end_s=2.5, prosody=None, prosody_z=None, sentiment=None, quality=None,
        baseline=CallerBaseline(), error=MONITOR_BLIND,
    ), None)  # fmt: skip


async def test_an_unheard_caller_is_handed_over_as_monitor_blind_at_once_and_asterisk_says_why() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)
    unheard(speech)
    await io.until(lambda: io.escalations)

    # Nothing said by the bot before the join: the queue's twin music class opens with the line.
    assert tts.said[1:] == [] and io.openings == [Opening.UNHEARD]
    heard = [e.text for e in io.events if isinstance(e, UtteranceHeard) and e.speaker == "bot"]
    assert heard[-1] == CANNOT_HEAR_PHRASE
    [(queue, reason, score, summary)] = io.escalations
    assert (queue, reason) == ("general", "monitor_blind") and score == 1.0
    assert summary.startswith("Bot could not hear the caller")
    decisions = [e for e in io.events if isinstance(e, DecisionMade)]
    assert decisions[-1].escalate and decisions[-1].reason == "monitor_blind"
    assert conversation.outcome == ("escalated", "monitor_blind") and io.hangups == []
    await conversation.close()


async def test_a_policy_that_keeps_the_bot_asks_again_rather_than_waiting_in_silence() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    conversation = bot(speech, tts, {"reasons": {"monitor_blind": {"escalate": False, "queue": None}}})
    await conversation.start(io)
    unheard(speech)
    await io.until(lambda: len(tts.said) > 1)
    assert io.escalations == [] and tts.said[1] != CANNOT_HEAR_PHRASE
    await conversation.close()
