"""Valence entries that VADER lacks or gets wrong on calls, on VADER's -4..+4 scale.

Only phrases go here that either VADER does not know (Hinglish, Hindi) or reads
wrongly in a call-centre context ("no problem" is not a problem, "are you kidding me"
is not a joke). Plain English words VADER already scores are left alone so that
general English keeps VADER's behaviour.
"""

from __future__ import annotations

VALENCE: dict[str, float] = {
    # --- English call-centre phrases -------------------------------------------------
    "no problem": 1.6, "no problem at all": 1.9, "not a problem": 1.5, "no problems": 1.4,
    "no worries": 1.6, "no issues": 1.2, "no issue": 1.2, "not an issue": 1.0, "no complaints": 1.4,
    "cant complain": 1.2, "no hassle": 1.2,
        "are you kidding": -2.2, "are you kidding me": -2.4, "you must be kidding": -2.2,
    "you have to be kidding": -2.2, "are you joking": -2.0, "is this a joke": -2.0, "this is a joke": -2.2,
    "what a joke": -2.4, "are a joke": -2.2, "is a joke": -2.0, "such a joke": -2.2, "already told you": -1.4, "i already told you": -1.5, "told you already": -1.4,
    "how many times": -1.8, "stop calling": -2.2, "stop calling me": -2.4, "stop bothering me": -2.4,
    "wasting my time": -2.3, "waste of time": -2.2, "waste of my time": -2.4, "fed up": -2.2,
    "sick of": -2.3, "sick and tired": -2.5, "had enough": -2.0, "enough is enough": -2.2,
    "are you even listening": -1.9, "are you listening": -1.2, "not listening": -1.6,
    "leave me alone": -2.0, "dont call me again": -2.0, "never call me again": -2.2,
    "still waiting": -1.3, "never arrived": -1.8, "never received": -1.8, "not received": -1.4,
    "never delivered": -1.8, "not delivered": -1.4, "on hold forever": -2.0,
    "lost my job": -2.6, "lost his job": -2.4, "lost her job": -2.4, "laid off": -2.2,
    "in hospital": -1.4, "in the hospital": -1.4, "passed away": -2.5, "no complaint": 1.2,
    # --- Romanised Hindi / Hinglish: positive ----------------------------------------
    "accha": 1.3, "achha laga": 2.0, "accha laga": 2.0, "badhiya": 2.0, "bahut badhiya": 2.6,
    "shandaar": 2.5, "zabardast": 2.5, "mast hai": 1.8, "khush": 2.0, "khushi": 2.0,
    "shukriya": 1.8, "dhanyavaad": 1.8, "meherbani": 1.5, "theek hai": 1.0, "theek": 0.8,
    "sahi hai": 1.0, "sahi": 0.8, "chalega": 1.0, "haan": 1.2, "ji haan": 1.3, "haan ji": 1.3,
    "pyaara": 2.0, "pyara": 2.0, "sundar": 2.0, "aasaan": 1.0, "koi baat nahi": 1.5,
    "koi dikkat nahi": 1.5, "koi problem nahi": 1.6, "koi tension nahi": 1.5, "koi pareshani nahi": 1.5,
    "chinta mat karo": 1.2, "chinta mat kijiye": 1.2, "tension mat lo": 1.2, "maza aaya": 2.2,
    "bilkul sahi": 1.6, "zaroor": 1.2, "jaroor": 1.2, "pakka": 0.8,
    # --- Romanised Hindi / Hinglish: negative ----------------------------------------
    "bakwas": -2.6, "bekaar": -2.5, "ghatiya": -2.9, "faltu": -2.0, "kharab": -2.0, "bura": -2.0,
    "buri": -2.0, "bure": -2.0, "gussa": -2.2, "naraz": -1.8, "naraaz": -1.8, "pareshan": -1.8,
    "pareshani": -1.8, "dukhi": -2.2, "dukh": -2.0, "takleef": -1.8, "dikkat": -1.2, "nikamma": -2.5,
    "nikamme": -2.5, "bewakoof": -2.5, "bevkoof": -2.5, "pagal": -2.0, "dimaag kharab": -2.8,
    "dimaag mat khao": -2.4, "bheja fry": -2.5, "band karo": -1.8, "bas karo": -1.8, "bas kar do": -1.8,
    "kitni baar": -1.8, "baar baar": -1.3, "had ho gayi": -2.2, "hadd ho gayi": -2.2, "hadd hai": -2.0,
    "dhokha": -2.8, "dhokebaaz": -3.0, "dhokhebaaz": -3.0, "chor": -2.5, "jhooth": -2.0, "jhoot": -2.0,
    "jhootha": -2.2, "sharam nahi": -2.5, "besharam": -2.8, "ganda": -2.0, "gandi": -2.0, "bura laga": -2.0,
    "mushkil": -1.2, "museebat": -2.0, "musibat": -2.0, "chinta": -1.2, "dard": -1.8, "ro raha": -2.0,
    "ro rahi": -2.0, "suna nahi kya": -1.9, "samajh nahi aata kya": -2.1, "mazak bana": -2.0,
    "tang aa gaya": -2.2, "tang aa gayi": -2.2, "tang kar diya": -2.2, "tang mat karo": -1.8,
    "pareshan mat karo": -1.8, "pareshan kar diya": -2.2, "call mat karo": -1.6, "phone mat karo": -1.6,
    "loot rahe": -2.4, "lootna": -2.2, "naukri chali gayi": -2.6, "tabiyat kharab": -1.8,
    "bimaar": -1.8, "bimar": -1.8, "badtameez": -2.6, "ullu": -2.0, "chup": -1.2, "ghar mein problem": -1.8,
    # --- Devanagari ---------------------------------------------------------------
    "अच्छा": 1.3, "बढ़िया": 2.0, "धन्यवाद": 1.8, "शुक्रिया": 1.8, "ठीक है": 1.0, "हाँ": 1.2, "हां": 1.2,
    "खुश": 2.0, "बकवास": -2.6, "बेकार": -2.5, "घटिया": -2.9, "खराब": -2.0, "बुरा": -2.0, "गुस्सा": -2.2,
    "परेशान": -1.8, "धोखा": -2.8, "कोई बात नहीं": 1.5,
}

# Degree words that scale the next sentiment word, as VADER's boosters do for English.
BOOSTERS: dict[str, float] = {
    "bahut": 0.293, "bilkul": 0.293, "ekdum": 0.293, "ekdam": 0.293, "kaafi": 0.293, "kafi": 0.293,
    "itna": 0.293, "itni": 0.293, "itne": 0.293, "sabse": 0.293, "zyada": 0.293, "jyada": 0.293,
    "atyant": 0.293, "behad": 0.293, "bada": 0.293, "badi": 0.293, "sach mein": 0.293,
    "बहुत": 0.293, "बिल्कुल": 0.293, "एकदम": 0.293,
    "thoda": -0.293, "thodi": -0.293, "zara": -0.293, "kuch kuch": -0.293,
}

# Hindi negation after the word ("accha nahi", "bura nahi laga") uses voicewatch.text.NEGATORS_AFTER.

# Hindi contrastive conjunctions behave like English "but": what follows dominates.
CONTRASTIVES: frozenset[str] = frozenset({"lekin", "magar", "par", "parantu", "लेकिन", "मगर", "पर"})

# A standalone "bilkul" is an emphatic yes; it only boosts when a sentiment word follows.
STANDALONE_BOOSTER_VALENCE: dict[str, float] = {"bilkul": 1.0, "बिल्कुल": 1.0}
