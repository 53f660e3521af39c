"""Per-utterance assessment: what was said, how it was said, and how the caller felt about it.

:func:`assess` is a pure function of its inputs (audio, transcript, the caller's baseline so
far, a sentiment callable): the same inputs give the same :class:`UtteranceAssessment`, so a
retried task is harmless. The updated baseline travels back in the result; whoever owns the
call (pbx) keeps it and sends it with the next utterance.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict

from workers.asr.base import Transcript, WordPayload
from workers.audio import Audio, inspect_quality
from workers.prosody import CallerBaseline, ProsodyZ, measure
from workers.sentiment import SentimentFn

log = logging.getLogger(__name__)


class ProsodyMeasures(BaseModel):
    model_config = ConfigDict(frozen=True)
    energy_db: float
    pitch_hz: float | None
    pitch_range_st: float | None
    speaking_rate: float
    active_s: float


class QualityReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    rms_dbfs: float
    clipped_fraction: float
    silent: bool
    clipped: bool


class UtteranceAssessment(BaseModel):
    model_config = ConfigDict(frozen=True)
    schema_version: Literal[1] = 1
    call_id: str
    utterance_id: str
    is_final: bool
    text: str
    words: list[WordPayload]
    asr_confidence: float | None
    engine: str
    start_s: float
    end_s: float
    prosody: ProsodyMeasures | None  # None: nothing measurable (silence, a click)
    prosody_z: ProsodyZ | None
    sentiment: float | None  # None: no text to score
    quality: QualityReport | None  # None: a streaming partial, which carries text only
    baseline: CallerBaseline  # the caller's baseline *after* this utterance (unchanged for partials)
    error: str | None = None

    def voicewatch_event(self) -> dict[str, object]:
        """This assessment as a voicewatch ``utterance``/``partial`` event (a plain dict: no import)."""
        event: dict[str, object] = {"type": "utterance" if self.is_final else "partial", "text": self.text}
        if self.asr_confidence is not None:
            event["asr_confidence"] = self.asr_confidence
        if self.prosody_z is not None:
            z = self.prosody_z
            event["prosody"] = {"energy_z": z.energy_z, "pitch_z": z.pitch_z or 0.0, "rate_z": z.rate_z}
        return event


def assess(
    *,
    call_id: str,
    utterance_id: str,
    audio: Audio | None,
    transcript: Transcript,
    baseline: CallerBaseline,
    sentiment: SentimentFn,
    start_s: float = 0.0,
    end_s: float | None = None,
    error: str | None = None,
) -> UtteranceAssessment:
    quality = None if audio is None else inspect_quality(audio)
    features = None if audio is None or quality is None or quality.silent else measure(audio)
    z = baseline.zscores(features) if features is not None else None
    # Only finals teach the baseline: a partial is a prefix of audio the final will bring again.
    new_baseline = baseline.updated(features) if features is not None and transcript.is_final else baseline
    score = None
    if transcript.text.strip():
        try:
            score = round(float(sentiment(transcript.text)), 4)
        except Exception as exc:  # the assessment is still worth having without it
            log.exception("sentiment scoring failed for %s", utterance_id)
            error = error or f"sentiment: {type(exc).__name__}: {exc}"
    return UtteranceAssessment(
        call_id=call_id,
        utterance_id=utterance_id,
        is_final=transcript.is_final,
        text=transcript.text,
        words=[WordPayload(word=w.word, conf=w.conf, start=w.start, end=w.end) for w in transcript.words],
        asr_confidence=None if transcript.confidence is None else round(transcript.confidence, 4),
        engine=transcript.engine,
        start_s=start_s,
        end_s=end_s if end_s is not None else start_s + (audio.duration_s if audio is not None else 0.0),
        prosody=None
        if features is None
        else ProsodyMeasures(
            energy_db=round(features.energy_db, 2),
            pitch_hz=None if features.pitch_hz is None else round(features.pitch_hz, 1),
            pitch_range_st=None if features.pitch_range_st is None else round(features.pitch_range_st, 2),
            speaking_rate=round(features.speaking_rate, 2),
            active_s=round(features.active_s, 2),
        ),
        prosody_z=z,
        sentiment=score,
        quality=None
        if quality is None
        else QualityReport(
            rms_dbfs=round(quality.rms_dbfs, 2),
            clipped_fraction=round(quality.clipped_fraction, 4),
            silent=quality.silent,
            clipped=quality.clipped,
        ),
        baseline=new_baseline,
        error=error,
    )
