"""Language mismatch: the caller needs a language this campaign does not serve.

Evidence, strongest first: text in a script of an unserved language; an unserved
language named ("Tamil la pesunga"); a phrase that is itself in such a language
("ardham kaledu"); the caller saying they cannot follow the call's language. Low ASR
confidence supports all of them, since the recogniser is tuned to the served languages.
"""

from __future__ import annotations

from voicewatch.lexicons import (
    LANGUAGE_LABELS,
    LANGUAGE_NAMES,
    LANGUAGE_NATIVE_CUE_CODES,
    LANGUAGE_NATIVE_CUES,
    LANGUAGE_NOT_A_REQUEST_AFTER,
    LANGUAGE_NOT_UNDERSTOOD,
    LANGUAGE_REQUEST_CUE,
    SCRIPT_RANGES,
)
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, noisy_or, quote
from voicewatch.state import CallState

SCRIPT = 0.9
NAMED = 0.8
NATIVE_PHRASE = 0.7
NOT_UNDERSTOOD = 0.55
LOW_ASR_SUPPORT = 0.35
REQUEST_CUE_SUPPORT = 0.4
_LOW_ASR = 0.6


def _script_language(text: str) -> str | None:
    for ch in text:
        cp = ord(ch)
        if cp < 0x0600:
            continue
        for lo, hi, code in SCRIPT_RANGES:
            if lo <= cp <= hi:
                return code
    return None


def _named_languages(view: TurnView) -> list[str]:
    toks = view.norm.tokens
    codes = []
    for i, tok in enumerate(toks):
        code = LANGUAGE_NAMES.get(tok)
        if code and not (i + 1 < len(toks) and toks[i + 1] in LANGUAGE_NOT_A_REQUEST_AFTER):
            codes.append(code)
    return codes


def _served(code: str, state: CallState, policy: Policy) -> bool:
    own = (state.context.language or "").lower().split("-")[0]
    return policy.serves(code) or code == own


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    evidence: list[tuple[str, float]] = []
    wanted: list[str] = []
    script = _script_language(view.text)
    if script and not _served(script, state, policy):
        wanted.append(script)
        evidence.append((f"speaks in {LANGUAGE_LABELS.get(script, script)} script", SCRIPT))
    named = _named_languages(view)
    unserved = [c for c in named if not _served(c, state, policy)]
    if unserved:
        wanted.extend(unserved)
        evidence.append((f"asked for {', '.join(LANGUAGE_LABELS.get(c, c) for c in unserved)}", NAMED))
        if LANGUAGE_REQUEST_CUE.find(view.norm):
            evidence.append(("phrased as a request", REQUEST_CUE_SUPPORT))
    for m in LANGUAGE_NATIVE_CUES.find(view.norm):
        code = LANGUAGE_NATIVE_CUE_CODES.get(m.phrase)
        if code and not _served(code, state, policy) and code not in wanted:
            wanted.append(code)
            evidence.append((f"'{m.phrase}' is {LANGUAGE_LABELS.get(code, code)}", NATIVE_PHRASE))
    not_understood = LANGUAGE_NOT_UNDERSTOOD.find(view.norm)
    lost_in = {LANGUAGE_NAMES[w] for m in not_understood for w in m.phrase.split() if w in LANGUAGE_NAMES}
    # "Hindi please" on an English call: the bot can switch to a served language itself.
    switch_possible = not unserved and any(_served(c, state, policy) and c not in lost_in for c in named)
    if not_understood and not switch_possible:
        evidence.append((f"cannot follow the call's language ('{not_understood[0].phrase}')", NOT_UNDERSTOOD))
    if not evidence:
        return ()
    if view.asr_confidence is not None and view.asr_confidence < _LOW_ASR:
        evidence.append((f"low ASR confidence {view.asr_confidence:.2f}", LOW_ASR_SUPPORT))
    score = noisy_or([s for _, s in evidence])
    labels = ", ".join(LANGUAGE_LABELS.get(c, c) for c in dict.fromkeys(wanted)) or "another language"
    return (SignalHit("language_mismatch", "language_mismatch", score, score,
                      f"caller needs {labels}: " + "; ".join(d for d, _ in evidence) + f" {quote(view.text)}"),)
