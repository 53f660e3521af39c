"""Reduce an utterance (ASR text) and a lexicon phrase to the same canonical tokens.

Romanised Hindi has no standard spelling and ASR punctuation is unreliable, so both
sides of a match go through this one function: a lexicon entry written as "don't" or
"thik hai" then matches "dont", "do not", "Don\u2019t" (curly apostrophe), "theek hai" and
"thik h" alike.
"""

from __future__ import annotations

import re
import unicodedata

# Indic combining vowel signs are not \w in Python; without the explicit range a
# Devanagari word would split mid-word. Danda (U+0964/5) is punctuation, so excluded.
_WORD_RE = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u0DFF])+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Expanded before apostrophes vanish, otherwise "I'll" would read as "ill".
_CONTRACTIONS_RE = re.compile(r"'(ll|re|ve|m|d)\b")
_CONTRACTIONS = {"ll": " will", "re": " are", "ve": " have", "m": " am", "d": " would"}
# "'s" means "is" only after these; elsewhere it is a possessive and is dropped.
_IS_RE = re.compile(r"\b(that|it|what|there|here|he|she|who|where|everything|thats)'s\b")

# Only folds spellings that are not themselves different English words.
# fmt: off
SPELLING: dict[str, str] = {
    "nahin": "nahi", "nhi": "nahi", "nai": "nahi", "nahee": "nahi", "nahii": "nahi", "nahiin": "nahi",
    "thik": "theek", "theekh": "theek", "teek": "theek", "thek": "theek", "thhik": "theek",
    "acha": "accha", "achha": "accha", "achcha": "accha", "achchha": "accha",
    "haa": "haan", "han": "haan", "hn": "haan", "ha": "haan", "haanji": "haan ji", "hanji": "haan ji",
    "jee": "ji", "jii": "ji",
    "hain": "hai", "h": "hai",
    "hu": "hoon", "hun": "hoon", "hoo": "hoon", "hoom": "hoon",
    "kr": "kar", "kro": "karo", "krna": "karna", "krdo": "kar do", "kardo": "kar do", "kariye": "kijiye",
    "krenge": "karenge", "dijie": "dijiye",
    "phirse": "phir se", "fir": "phir", "firse": "phir se", "dubara": "dobara", "doobara": "dobara",
    "mei": "mein",
    "sham": "shaam", "shyam": "shaam", "subha": "subah",
    "galt": "galat", "glat": "galat",
    "insan": "insaan", "admi": "aadmi",  # as VoiceWatch spells them (voicewatch/text.py)
    "paise": "paisa", "paisay": "paisa", "pese": "paisa", "paisey": "paisa",
    "chahie": "chahiye", "chaiye": "chahiye",
    "bilkool": "bilkul", "zarur": "zaroor", "jaroor": "zaroor", "jarur": "zaroor",
    "mujhko": "mujhe", "mereko": "mujhe", "muje": "mujhe", "mujhey": "mujhe",
    "skta": "sakta", "sakti": "sakta", "skti": "sakta", "sakte": "sakta",
    "samjha": "samajh", "samjh": "samajh", "samaj": "samajh",
    "plz": "please", "pls": "please", "plis": "please",
    "ok": "okay", "okk": "okay", "okie": "okay", "okey": "okay", "okays": "okay",
    "yea": "yeah", "ya": "yeah", "yah": "yeah", "yep": "yup",
    "cannot": "cant", "u": "you", "ur": "your", "r": "are",
}

# Negations spelled in two words fold into the fused form the lexicons use.
_TWO_WORD: dict[tuple[str, str], str] = {
    ("do", "not"): "dont", ("does", "not"): "doesnt", ("did", "not"): "didnt", ("can", "not"): "cant",
    ("will", "not"): "wont", ("is", "not"): "isnt", ("are", "not"): "arent", ("was", "not"): "wasnt",
    ("have", "not"): "havent", ("has", "not"): "hasnt", ("could", "not"): "couldnt",
    ("would", "not"): "wouldnt", ("should", "not"): "shouldnt", ("o", "k"): "okay",
    ("all", "right"): "alright",
}
# fmt: on


def _fold_pairs(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if out and (out[-1], token) in _TWO_WORD:
            out[-1] = _TWO_WORD[(out[-1], token)]
        else:
            out.append(token)
    return out


def normalise(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _IS_RE.sub(lambda m: m.group(1).removesuffix("s") + " is", text)
    text = _CONTRACTIONS_RE.sub(lambda m: _CONTRACTIONS[m.group(1)], text)
    # Remaining apostrophes are negations ("don't") or possessives: fuse the word.
    text = text.replace("'s ", " ").replace("'", "")
    tokens: list[str] = []
    for raw in _WORD_RE.findall(text):
        tokens.extend(SPELLING.get(raw, raw).split())
    return tuple(_fold_pairs(tokens))
