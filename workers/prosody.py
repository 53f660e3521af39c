"""Prosody of one utterance, measured from PCM, and z-scores against the caller's own baseline.

Absolute loudness and pitch say little across callers (phones, mouths, line levels differ);
a change *within* a call says a lot. So each feature is compared with the caller's running
mean and spread, seeded by a weak population prior so the first utterances already get a
sensible score rather than none.

- energy: RMS level of the active frames, dBFS;
- pitch: median F0 of voiced frames (YIN), in semitones re 100 Hz, plus its spread;
- speaking rate: syllable nuclei per second of speech (intensity peaks, de Jong & Wempe style).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict

from workers.audio import Audio

HOP_S = 0.010
PITCH_WINDOW_S = 0.040
F0_MIN, F0_MAX = 70.0, 400.0
YIN_THRESHOLD = 0.2
# Frames within this many dB of the loudest count as active speech.
ACTIVE_RANGE_DB = 30.0
ACTIVE_FLOOR_DBFS = -55.0
# A syllable nucleus: an intensity peak standing this many dB above the dips beside it.
NUCLEUS_PROMINENCE_DB = 2.0
NUCLEUS_MIN_GAP_S = 0.08


@dataclass(frozen=True)
class ProsodyFeatures:
    energy_db: float
    pitch_st: float | None  # semitones re 100 Hz; None when nothing was voiced
    pitch_range_st: float | None
    speaking_rate: float  # syllables per second of active speech
    active_s: float

    @property
    def pitch_hz(self) -> float | None:
        return None if self.pitch_st is None else 100.0 * 2 ** (self.pitch_st / 12)


def _frames(x: np.ndarray, width: int, hop: int) -> np.ndarray:
    if len(x) < width:
        x = np.pad(x, (0, width - len(x)))
    n = 1 + (len(x) - width) // hop
    return np.lib.stride_tricks.sliding_window_view(x, width)[::hop][:n]


def _frame_db(x: np.ndarray, rate: int) -> np.ndarray:
    frames = _frames(x, int(2 * HOP_S * rate), int(HOP_S * rate))
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    return 10 * np.log10(np.maximum(power, 1e-10))


def _yin(x: np.ndarray, rate: int, active: np.ndarray) -> np.ndarray:
    """F0 per hop for active frames (NaN where unvoiced), vectorised over frames with FFTs."""
    tau_min, tau_max = int(rate / F0_MAX), int(rate / F0_MIN)
    width = int(PITCH_WINDOW_S * rate)
    hop = int(HOP_S * rate)
    total = width + tau_max
    frames = _frames(x, total, hop)
    n = min(len(frames), len(active))
    f0 = np.full(len(active), np.nan)
    idx = np.nonzero(active[:n])[0]
    if len(idx) == 0:
        return f0
    seg = frames[idx].astype(np.float64)
    head = seg[:, :width]
    nfft = 1 << (total + width).bit_length()
    # r[tau] = sum_j x[j] x[j+tau] over the window; e[tau] = energy of the lagged window.
    r = np.fft.irfft(np.conj(np.fft.rfft(head, nfft)) * np.fft.rfft(seg, nfft), nfft)[:, : tau_max + 1]
    sq = np.cumsum(np.pad(seg**2, ((0, 0), (1, 0))), axis=1)
    e = sq[:, width : width + tau_max + 1] - sq[:, : tau_max + 1]
    d = sq[:, width : width + 1] + e - 2 * r
    d[:, 0] = 0.0
    taus = np.arange(1, tau_max + 1)
    cmnd = np.ones_like(d)
    cmnd[:, 1:] = d[:, 1:] * taus / np.maximum(np.cumsum(d[:, 1:], axis=1), 1e-12)
    search = cmnd[:, tau_min : tau_max + 1]
    below = search < YIN_THRESHOLD
    has = below.any(axis=1)
    first = np.argmax(below, axis=1)
    for row in np.nonzero(has)[0]:
        # Walk down to the local minimum after the first dip under the threshold.
        t = first[row]
        while t + 1 < search.shape[1] and search[row, t + 1] < search[row, t]:
            t += 1
        tau = t + tau_min
        # Parabolic interpolation for sub-sample lag.
        if 0 < tau < tau_max:
            a, b, c = cmnd[row, tau - 1], cmnd[row, tau], cmnd[row, tau + 1]
            denom = a - 2 * b + c
            tau = tau + (0.5 * (a - c) / denom if denom > 1e-12 else 0.0)
        f0[idx[row]] = rate / tau
    return f0


def measure(audio: Audio) -> ProsodyFeatures | None:
    """Prosody of one utterance; None if it holds no usable speech (silence, a click)."""
    rate = audio.sample_rate
    x = audio.samples.astype(np.float64) / 32768.0
    if len(x) < int(0.1 * rate):
        return None
    db = _frame_db(x, rate)
    active = (db > db.max() - ACTIVE_RANGE_DB) & (db > ACTIVE_FLOOR_DBFS)
    if active.sum() < 5:
        return None
    energy_db = float(10 * np.log10(np.mean(10 ** (db[active] / 10))))

    f0 = _yin(x, rate, active)
    voiced = f0[~np.isnan(f0)]
    pitch_st = pitch_range = None
    if len(voiced) >= 3:
        st = 12 * np.log2(voiced / 100.0)
        # Octave errors land far from the median: keep the central mass only.
        st = st[np.abs(st - np.median(st)) < 7]
        pitch_st = float(np.median(st))
        pitch_range = float(np.percentile(st, 90) - np.percentile(st, 10))

    active_s = _active_span_s(active)
    nuclei = _syllable_nuclei(db, active, ~np.isnan(f0))
    return ProsodyFeatures(
        energy_db=energy_db,
        pitch_st=pitch_st,
        pitch_range_st=pitch_range,
        speaking_rate=nuclei / active_s if active_s > 0 else 0.0,
        active_s=active_s,
    )


def _active_span_s(active: np.ndarray) -> float:
    """Speech time: active frames plus pauses shorter than 300 ms (longer ones are not talking)."""
    idx = np.nonzero(active)[0]
    if len(idx) == 0:
        return 0.0
    gaps = np.diff(idx) - 1
    short_pauses = gaps[(gaps > 0) & (gaps < int(0.3 / HOP_S))].sum()
    return float((len(idx) + short_pauses) * HOP_S)


def _syllable_nuclei(db: np.ndarray, active: np.ndarray, voiced: np.ndarray) -> int:
    from scipy.signal import find_peaks

    smooth = np.convolve(db, np.ones(3) / 3, mode="same")
    peaks, _ = find_peaks(
        smooth, prominence=NUCLEUS_PROMINENCE_DB, distance=max(1, int(NUCLEUS_MIN_GAP_S / HOP_S))
    )
    n = min(len(voiced), len(active))
    # A nucleus is a vowel: loud enough to be speech and voiced (within one hop either side).
    near_voiced = np.convolve(voiced[:n].astype(int), np.ones(3, dtype=int), mode="same") > 0
    return int(sum(1 for p in peaks if p < n and active[p] and near_voiced[p]))


# --- Caller baseline ----------------------------------------------------------------------
class RunningStat(BaseModel):
    """Weighted running mean/variance (West's update of Welford's), JSON-safe."""

    model_config = ConfigDict(frozen=True)
    weight: float
    mean: float
    m2: float  # weighted sum of squared deviations

    @property
    def std(self) -> float:
        return math.sqrt(self.m2 / self.weight) if self.weight > 0 else 0.0

    def add(self, x: float, w: float = 1.0) -> RunningStat:
        weight = self.weight + w
        delta = x - self.mean
        mean = self.mean + delta * w / weight
        return RunningStat(weight=weight, mean=mean, m2=self.m2 + w * delta * (x - mean))

    @classmethod
    def prior(cls, mean: float, std: float, weight: float) -> RunningStat:
        return cls(weight=weight, mean=mean, m2=std * std * weight)


# Weak priors for telephone speech: worth PRIOR_WEIGHT utterances, so the caller's own voice
# dominates after a few turns. Spread floors stop one monotone caller from making every small
# change look extreme.
PRIOR_WEIGHT = 2.0
_PRIORS = {"energy": (-24.0, 4.0), "pitch": (6.0, 4.0), "rate": (4.0, 1.0)}
_FLOORS = {"energy": 1.5, "pitch": 1.0, "rate": 0.4}


class ProsodyZ(BaseModel):
    """Named like voicewatch's ``Prosody`` event, so pbx passes the numbers on as they are."""

    model_config = ConfigDict(frozen=True)
    energy_z: float
    pitch_z: float | None
    rate_z: float
    arousal: float  # mean of the available z-scores: louder, higher, faster than usual → positive


class CallerBaseline(BaseModel):
    """The caller's own running prosody, carried with the call (tasks stay stateless and idempotent)."""

    model_config = ConfigDict(frozen=True)
    energy: RunningStat = RunningStat.prior(*_PRIORS["energy"], PRIOR_WEIGHT)
    pitch: RunningStat = RunningStat.prior(*_PRIORS["pitch"], PRIOR_WEIGHT)
    rate: RunningStat = RunningStat.prior(*_PRIORS["rate"], PRIOR_WEIGHT)
    utterances: int = 0

    def zscores(self, f: ProsodyFeatures) -> ProsodyZ:
        def z(stat: RunningStat, x: float, key: str) -> float:
            return round(max(-6.0, min(6.0, (x - stat.mean) / max(stat.std, _FLOORS[key]))), 3)

        ze = z(self.energy, f.energy_db, "energy")
        zp = None if f.pitch_st is None else z(self.pitch, f.pitch_st, "pitch")
        zr = z(self.rate, f.speaking_rate, "rate")
        present = [v for v in (ze, zp, zr) if v is not None]
        return ProsodyZ(energy_z=ze, pitch_z=zp, rate_z=zr, arousal=round(sum(present) / len(present), 3))

    def updated(self, f: ProsodyFeatures) -> CallerBaseline:
        return CallerBaseline(
            energy=self.energy.add(f.energy_db),
            pitch=self.pitch if f.pitch_st is None else self.pitch.add(f.pitch_st),
            rate=self.rate.add(f.speaking_rate),
            utterances=self.utterances + 1,
        )
