"""pbx's side of speech on Celery: VAD events out as jobs, workers' replies in as assessments.

No Redis, no workers: a fake transport records the jobs and hands over scripted replies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from tests.workers.remote_fakes import Collector, FakeTransport, voiced
from workers.asr.results import UtteranceResult
from workers.prosody import CallerBaseline
from workers.remote.client import MONITOR_BLIND, RemoteLiveSpeech
from workers.remote.messages import REPLY_FIELD
from workers.remote.session import RemoteCallSession
from workers.vad import PartialSegment, SpeechPaused, SpeechResumed, Utterance

DEADLINE_S = 0.4  # the tests of what happens at the deadline; the others wait longer
GRACE_S = 0.1


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def speech(transport: FakeTransport) -> Iterator[RemoteLiveSpeech]:
    remote = RemoteLiveSpeech(transport, deadline_s=5.0, grace_s=GRACE_S)
    yield remote
    remote.close()


@pytest.fixture
def hasty(transport: FakeTransport) -> Iterator[RemoteLiveSpeech]:
    remote = RemoteLiveSpeech(transport, deadline_s=DEADLINE_S, grace_s=GRACE_S)
    yield remote
    remote.close()


def open_call(speech: RemoteLiveSpeech, sink: Collector, call_id: str = "call-1") -> RemoteCallSession:
    return speech.open_call(call_id, 8000, "slin16le", sink)


def utterance(index: int, seconds: float = 1.0, start_s: float = 0.5) -> Utterance:
    return Utterance(index, start_s, start_s + seconds, voiced(seconds), voiced_s=seconds)


def pause(index: int, seconds: float = 1.0, start_s: float = 0.5) -> SpeechPaused:
    return SpeechPaused(index, start_s, start_s + seconds, voiced(seconds))


def test_a_final_goes_out_as_a_job_and_its_reply_reaches_the_sink(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    before = time.time()
    session.on_event(utterance(0))
    [job] = transport.wait_sent(1)
    assert job.kind == "final" and job.call_id == "call-1" and job.utterance_id == "call-1-0000"
    assert job.reply_to == "cc:speech:replies:test-pbx" and job.audio.sample_rate == 8000
    assert before + 5.0 <= job.deadline <= time.time() + 5.0
    assert CallerBaseline.model_validate(job.baseline).utterances == 0

    transport.answer(job, "I am angry about my order")
    [assessment] = sink.wait(1)
    result: UtteranceResult = sink.items[0][1]  # type: ignore[assignment]
    assert assessment.is_final and assessment.text == "I am angry about my order" and assessment.error is None
    assert assessment.sentiment == -0.6 and result.is_final and result.utterance_id == "call-1-0000"
    # The caller's baseline comes back with the final and goes out with the next job.
    assert session.baseline.utterances == 1
    session.on_event(utterance(1, start_s=3.0))
    assert CallerBaseline.model_validate(transport.wait_sent(2)[1].baseline).utterances == 1
    assert speech.drain(0.0) is False


def test_a_final_nobody_answers_is_monitor_blind_within_the_deadline(hasty, transport) -> None:
    sink = Collector()
    session = open_call(hasty, sink)
    sent = time.monotonic()
    session.on_event(utterance(0))
    [blind] = sink.wait(1, timeout=DEADLINE_S + GRACE_S + 1.0)
    waited = time.monotonic() - sent
    assert DEADLINE_S <= waited <= DEADLINE_S + GRACE_S + 0.3, waited
    assert blind.error == MONITOR_BLIND and blind.is_final and blind.text == "" and blind.utterance_id == "call-1-0000"
    assert hasty.drain(0.0)
    # Its reply, arriving after all, is dropped: the call has moved on.
    transport.answer(transport.sent[0])
    assert len(sink.quiet_for(0.2)) == 1


def test_a_final_unanswered_at_half_its_deadline_is_sent_once_more_and_the_first_reply_wins(hasty, transport) -> None:
    # A worker SIGKILLed as a whole keeps its unacked job in Redis for the visibility timeout:
    # the same job, sent again, reaches a worker that is alive.
    sink = Collector()
    session = open_call(hasty, sink)
    sent = time.monotonic()
    session.on_event(utterance(0))
    first, again = transport.wait_sent(2, timeout=DEADLINE_S)
    resent_after = time.monotonic() - sent
    assert again == first and DEADLINE_S * 0.4 <= resent_after <= DEADLINE_S * 0.9, resent_after
    transport.answer(again, "still here")
    transport.answer(first, "the killed worker's copy, redelivered late")
    [heard] = sink.wait(1)
    assert heard.text == "still here" and heard.error is None
    assert len(sink.quiet_for(DEADLINE_S + GRACE_S)) == 1, "one assessment, not monitor_blind after it"
    assert len(transport.sent) == 2, "sent again once only"


def test_partials_are_not_sent_again(hasty, transport) -> None:
    session = open_call(hasty, Collector())
    session.on_event(PartialSegment(0, 0.5, 2.5, voiced(2.0)))
    transport.wait_sent(1)
    time.sleep(DEADLINE_S + GRACE_S + 0.1)
    assert len(transport.sent) == 1


def test_a_partial_nobody_answers_is_just_lost(hasty, transport) -> None:
    sink = Collector()
    session = open_call(hasty, sink)
    session.on_event(PartialSegment(0, 0.5, 2.5, voiced(2.0)))
    assert sink.quiet_for(DEADLINE_S + GRACE_S + 0.3) == [] and hasty.drain(0.0)


def test_an_expired_reply_makes_the_caller_unheard_at_once(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(utterance(0))
    transport.answer(transport.wait_sent(1)[0], error="expired", with_assessment=False)
    [blind] = sink.wait(1, timeout=DEADLINE_S / 2)
    assert blind.error == MONITOR_BLIND


def test_stale_and_out_of_order_partials_are_dropped(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(PartialSegment(0, 0.5, 2.5, voiced(2.0)))
    session.on_event(PartialSegment(0, 0.5, 4.5, voiced(4.0)))
    first, second = transport.wait_sent(2)
    transport.answer(second, "I want to cancel my")
    assert [a.text for a in sink.wait(1)] == ["I want to cancel my"]
    transport.answer(first, "I want")  # older than the one delivered
    session.on_event(utterance(0, seconds=5.0))
    final = transport.wait_sent(3)[2]
    transport.answer(final, "I want to cancel my order")
    delivered = sink.wait(2)
    assert [(a.text, a.is_final) for a in delivered] == [("I want to cancel my", False),
                                                         ("I want to cancel my order", True)]  # fmt: skip
    assert all(a.baseline.utterances == 0 for a in delivered[:1]), "partials do not teach the baseline"
    # A partial of the same utterance after its final: stale.
    session.on_event(PartialSegment(0, 0.5, 6.5, voiced(2.0)))
    transport.answer(transport.wait_sent(4)[3], "late")
    assert len(sink.quiet_for(0.2)) == 2


def test_finals_out_of_order_each_arrive_once_and_the_latest_keeps_the_baseline(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(utterance(0))
    session.on_event(utterance(1, start_s=3.0))
    first, second = transport.wait_sent(2)
    transport.answer(second, "second", baseline=CallerBaseline(utterances=7))
    transport.answer(first, "first", baseline=CallerBaseline(utterances=5))
    transport.answer(second, "second again", worker="w2:200")  # a redelivered job answered twice
    delivered = sink.wait(2)
    assert sorted(a.text for a in delivered) == ["first", "second"]
    assert len(sink.quiet_for(0.2)) == 2
    assert session.baseline.utterances == 7


def test_a_malformed_reply_is_ignored_with_a_log(speech, transport, caplog) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(utterance(0))
    [job] = transport.wait_sent(1)
    with caplog.at_level(logging.WARNING, logger="workers.remote.client"):
        transport.push({REPLY_FIELD: "{not json"})
        transport.push({"something": "else"})
        transport.push({REPLY_FIELD: '{"job_id": "x"}'})
        transport.answer(job, "still heard")
        assert [a.text for a in sink.wait(1)] == ["still heard"]
    malformed = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(malformed) == 3, [r.getMessage() for r in caplog.records]


def test_the_guess_at_a_pause_is_a_speculative_partial_then_the_final(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(pause(0))
    [guess] = transport.wait_sent(1)
    assert guess.kind == "guess"
    transport.answer(guess, "yes")
    [partial] = sink.wait(1)
    assert partial.text == "yes" and not partial.is_final and sink.items[0][1].speculative
    session.on_event(utterance(0))  # the VAD closes on the pause's audio: the guess is the final
    final = sink.wait(2)[1]
    assert final.text == "yes" and final.is_final and not sink.items[1][1].speculative
    assert len(transport.sent) == 1, "no second decode of the same audio"
    assert session.baseline.utterances == 1


def test_a_final_waits_for_its_guess_and_a_missing_guess_reply_is_blind(hasty, transport) -> None:
    sink = Collector()
    session = open_call(hasty, sink)
    session.on_event(pause(0))
    session.on_event(utterance(0))  # closed before the guess was answered
    assert len(transport.wait_sent(1)) == 1
    [blind] = sink.wait(1, timeout=DEADLINE_S + GRACE_S + 1.0)
    assert blind.error == MONITOR_BLIND and blind.is_final


def test_a_late_guess_reply_is_the_final_timed_from_the_close_of_the_utterance(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(pause(0))
    time.sleep(0.1)  # the hangover: the VAD closes the utterance after the pause was seen
    closed = time.monotonic()
    session.on_event(utterance(0))
    transport.answer(transport.wait_sent(1)[0], "that's right")
    [final] = sink.wait(1)
    result: UtteranceResult = sink.items[0][1]  # type: ignore[assignment]
    assert final.is_final and final.text == "that's right"
    # Its latency runs from the close (as in-process), not from the pause the guess was sent at.
    assert closed <= result.ended_at <= time.monotonic()


def test_when_the_caller_goes_on_the_guess_is_dropped_and_the_final_is_sent(speech, transport) -> None:
    sink = Collector()
    session = open_call(speech, sink)
    session.on_event(pause(0))
    session.on_event(SpeechResumed(0))
    [guess] = transport.wait_sent(1)
    # The workers skip the guess if they have not started on it: newer than its seq, nothing sent.
    assert transport.superseded == [(guess.utterance_id, guess.seq + 1)]
    transport.answer(guess, "yes")
    session.on_event(utterance(0, seconds=2.0))
    final_job = transport.wait_sent(2)[1]
    assert final_job.kind == "final"
    transport.answer(final_job, "yes but not today")
    assert [(a.text, a.is_final) for a in sink.wait(1)] == [("yes but not today", True)]
    assert len(sink.quiet_for(0.1)) == 1


def test_frames_through_the_vad_send_one_final_and_the_sink_hears_it(speech, transport) -> None:
    from tests.workers.synth import concat, espeak, silence, telephone

    sink = Collector()
    session = open_call(speech, sink)
    audio = concat(silence(0.5), telephone(espeak("I would like to speak to a manager please.")), silence(1.2))
    for frame in audio.frames():
        session.feed_samples(frame)
    session.close()
    finals = [job for job in transport.sent if job.kind == "final" or job.kind == "guess"]
    assert finals, [job.kind for job in transport.sent]
    for job in transport.sent:
        transport.answer(job, "I would like to speak to a manager please")
    delivered = sink.wait(1)
    assert sink.quiet_for(0.2) and any(a.is_final for a in sink.quiet_for(0.0)), delivered
