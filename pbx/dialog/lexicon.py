"""What customers say, grouped by meaning, in English (India/US) and romanised Hindi.

Patterns use the syntax of :mod:`voicewatch.text`, and speech is read with it too, so
VoiceWatch and the dialog read a reply alike; this module only says which phrases mean
which :class:`Intent`. A negation is one word in speech ("is not" -> "isnt"), so a
pattern keeps "it is not" within one group rather than across two. Weights are how much a phrase alone
proves its intent: 0.9 for unambiguous phrases, lower for words that often mean
something else ("right", "later", "hello"). When phrases overlap, the longest wins
(see :mod:`pbx.dialog.intents`), so a specific phrase such as "no problem" or
"abhi call mat karo, baad mein" only needs listing to beat its shorter parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbx.dialog.vocabulary import Intent


@dataclass(frozen=True)
class Cue:
    pattern: str
    weight: float = 0.9
    # Only when it is the whole utterance: a bare "sorry?" asks for a repeat,
    # "sorry, wrong number" does not.
    whole: bool = False
    # A negator next to it flips a yes to no and cancels any other intent. Phrases that
    # carry their own negation ("don't call me again") or are interjections ("haan",
    # whose following "nahi" starts a new thought) are fixed.
    negatable: bool = True


def cues(*patterns: str, weight: float = 0.9, whole: bool = False, negatable: bool = True) -> tuple[Cue, ...]:
    return tuple(Cue(p, weight, whole, negatable) for p in patterns)


# Lexicon data stays compact, one meaning per line group, rather than one phrase per line.
# fmt: off
# Politeness and discourse fillers: they neither add meaning nor count against coverage.
FILLERS = frozenset({
    "um", "umm", "uh", "uhh", "er", "erm", "ah", "oh", "well", "so", "like", "actually", "basically",
    "please", "sir", "madam", "maam", "mam", "bhai", "bhaiya", "didi", "boss", "arre", "arey",
    "the", "a", "an", "haina", "na", "to", "toh", "just", "hai", "ji",
})

_YES = (
    cues("yes", "yeah", "yup", "yes please", "yes yes", "haan", "haan ji", "ji haan", "haan haan",
         "of course", "absolutely", "definitely", "certainly", "sure thing", "bilkul", "bilkul sahi",
         "ji bilkul", "zaroor", "haan zaroor", "why not", "go ahead", "please go ahead", "please do",
         "please proceed", "yes it is", "it is mine", "that is mine", "i did", "i ordered (it)?",
         "maine (hi)? (order)? kiya (tha|hai)?", "mera (hi)? order (hai|tha)", "positive",
         negatable=False)
    + cues("no problem", "not a problem", "no (issue|issues)", "koi (problem|dikkat|issue) nahi", "no worries",
           "no (change|changes) (needed|required)?", "nothing to change", "(i)? dont (want|need) to change (anything)?", "koi change nahi", "sab theek (hai)?",
           weight=0.75, negatable=False)
    + cues("koi baat nahi", weight=0.6, negatable=False)
    + cues("correct", "that is (right|correct|fine|okay|good)", "(it is|everything is|all is) (correct|fine|okay|good|right)",
           "(all)? good", "sure", "okay", "fine", "alright", "perfect", "exactly", "confirm", "confirmed",
           "i confirm", "please confirm", "sounds good", "looks good", "great", "theek (hai)?", "sahi (hai)?",
           "accha (theek hai)?", "chalega", "chal jayega", "ho jayega", "kar (do|dijiye|dena)",
           "bhej (do|dijiye|dena)", "(correct|confirm|done) (hai|kar do|kijiye)", "done", "i will pay",
           "will pay", "i will (do it|do that|make the payment)", "(pay|payment)? kar (dunga|dungi|denge)",
           "de (dunga|dungi|denge)", "bhar (dunga|dungi|denge)", "(right|correct) address", "same address",
           "want it", "i want (it|the order)", "i need it", "chahiye", "(i)? can pay", "pay kar (sakta|sakti) (hoon)?",
           "(हाँ|हां|जी हाँ|जी हां|ठीक है|सही है|बिल्कुल)")
    + cues("right", "i think so", "guess so", weight=0.65)
    + cues("uh huh", "ji", "hmm okay", "hmm haan", weight=0.6, whole=True, negatable=False)
    # A bare "hmm" is as often a backchannel ("go on") as a yes: too weak to act on alone.
    + cues("hmm", "mm", weight=0.45, whole=True, negatable=False)
)

_NO = (
    cues("no", "nope", "nah", "nahi", "nahi ji", "ji nahi", "no no", "not really", "not at all",
         "absolutely not", "definitely not", "of course not", "no way", "no thanks", "no thank you",
         "not interested", "(i)? dont think so", "incorrect",
         "galat (hai)?", "bilkul nahi", "bilkul galat", "never", "(i)? didnt order (anything|it|this)?",
         "(i)? never ordered", "maine (koi)? order nahi kiya", "order nahi kiya", "not mine", "mera nahi (hai)?",
         "not (the)? (right|correct)", "(that isnt|it isnt) (right|correct|mine)", "(that is|it is) (wrong|galat)", "negative",
         "nahi (chalega|hoga)", "wrong hai",
         negatable=False)
    + cues("wrong", "not yet", "abhi tak nahi", weight=0.7, negatable=False)
    + cues("na", weight=0.75, whole=True, negatable=False)
    + cues("(नहीं|नही|जी नहीं|गलत है)", negatable=False)
)

# Not an intent: evidence that a yes/no is not a commitment ("theek hai... pata nahi").
HESITATION = cues(
    "pata nahi", "kuch pata nahi", "malum nahi", "maloom nahi", "not sure", "(i am)? not (so|very|too)? sure",
    "i dont know", "dont know", "no idea", "maybe", "may be", "perhaps", "shayad", "let me think",
    "i (need|have) to think", "sochna (padega|hoga)", "soch (ke|kar) (batata|batati|bataunga|bataungi|bolta)",
    "dekhta (hoon|hu)", "dekhte (hai|hain)", "dekhenge", "(i am)? confused", "yaad nahi", "(i)? dont remember",
    "(cant|hard to) say", "keh nahi (sakta|sakti)", "not certain", "i guess", "kya pata",
    weight=0.8, negatable=False,
)

_CALLBACK = (
    cues("call (me)? later", "call (me)? back", "call (me)? (back)? ~ (later|tomorrow|tonight|evening|morning|afternoon|weekend)",
         "call (me)? (back)? (after|in|around|at) ~ (minutes|hours|hour|pm|am|oclock|lunch|work|office)",
         "(can|could) you call ~ (later|tomorrow|evening|morning|afternoon|tonight)",
         "call (me)? (again)? (tomorrow|tonight|in the evening|in the morning|next week|some other time)",
         "(i am|im) busy", "busy (right)? now", "(bad|wrong) time", "not a good time",
         "(cant|not able to) talk (now|right now)?", "in a meeting", "(i am)? driving", "(talk|speak) later",
         "some other time", "another time", "(call|ring) (me)? tomorrow", "later please",
         "dont call (me)? (now|right now) ~ (later|tomorrow|evening|morning|after)",
         "baad mein (call|phone|baat)? (karna|karo|kijiye|karein|karenge|karte hai|kar lena)?",
         "abhi busy (hoon)?", "busy hoon", "abhi (baat)? nahi kar (sakta|paunga|paungi)", "abhi time nahi (hai)?",
         "(subah|shaam|raat|dopahar|kal|parso|sunday|monday) (ko|mein)? (call|phone|baat) (karna|karo|kijiye|karein|karenge|kar lena)",
         "thodi der (baad|mein)", "(ek|do|aadhe|aadha) ghante (baad|mein)", "meeting mein (hoon)?",
         "gaadi chala (raha|rahi)", "abhi (call|phone) mat (karo|karna|kijiye)", "abhi nahi (baad mein)?",
         "office mein (hoon)?", "kaam kar (raha|rahi) (hoon)?", "(अभी)? (बिज़ी|बिजी|व्यस्त) (हूँ|हूं)",
         "बाद में (कॉल|फोन|बात) (करना|करो|कीजिए)")
    + cues("not now", "not right now", "busy", "baad mein", "shaam ko", weight=0.7)
    + cues("later", weight=0.6)
)

_WRONG_NUMBER = cues(
    "wrong number", "galat number", "rong number", "wrong person", "galat (insaan|aadmi|banda)",
    "(you have|you got|you have got) the wrong (number|person)", "(no one|nobody) (here)? (by|with) that name",
    "(there is|theres) no (one|body) (here)? (named|called|by that name)",
    "(i|we) dont know (any|this|that|him|her|such) (person|one|name)?", "(this is not|it is not) (his|her|their) number",
    "(he|she) (doesnt|dont) (live|stay) here", "is naam (ka|ki|se) koi nahi", "yahan (koi)? ~ nahi rehta",
    "galat jagah", "(ye|yeh) (unka|unki|uska|uski) number nahi (hai)?", "(main|hum) (unko|usko|inko|kisi ko|aapko) nahi (jaanta|jaante|jaanti|janta)",
    "never heard of (him|her|them|this person)", "not (his|her) number", "(गलत|ग़लत) नंबर",
    negatable=False,
)

_CHANGE = (
    cues("change (the|my)? (address|date|delivery|order|item|time|slot|size|colour|color|quantity|pincode|day|location)",
         "(want|need|like) to change", "change (it|that|this)", "different (address|date|day|time|slot|location|colour|color|size)",
         "new address", "(update|correct) (the|my)? (address|pincode|date|details)", "wrong address",
         "(address|pincode) (is)? (wrong|incorrect|galat|old|different|changed)", "(i have|we have|i) (moved|shifted)",
         "deliver (it)? ~ instead", "(reschedule|postpone|prepone)", "(another|some other|a different) (day|date)",
         "deliver (it)? (tomorrow|on|at|to|next|after|day after)", "(send|ship) (it)? to",
         "(address|pata|date|tareekh|din|time|rang|size) (badal|badalna|badlo|badal do|change|galat|alag)",
         "badal (do|dijiye|dena|na|ke)", "badalna (hai|chahta|chahti)", "change (karna|karo|kar do|kijiye|karwana|kar dijiye) (hai)?",
         "(naya|nayi|dusra|doosra|dusre|alag) (address|pata|pate|din|date|tareekh)", "ghar (shift|badal)",
         "(kal|parso|agle hafte) (deliver|bhejna|bhejo|bhej do|dena|de dena|la dena)", "instead of")
    + cues("change", "instead", "modify", "update", weight=0.7)
)

_CANCEL = (
    cues("(i)? (no longer|dont) (need|want) (it|this|that|the order|this order|anything) (anymore|any more|now)?",
         "(i)? dont want (it|this|that) (anymore|any more)?", "(mujhe)? nahi chahiye", "(mat|na) bhejo", "mat bhejna",
         "(dont|do not) send (it|this|the order)?", "(नहीं चाहिए|कैंसल कर दो|मत भेजो)", negatable=False)
    + cues("cancel (it|the order|my order|this order|that)", "order cancel", "cancel (kar do|karo|kijiye|kar dijiye|karna|karwana|karwa do)",
           "radd (kar do|karo|kijiye)", "take it back", "return (it|the order)", "wapas (le lo|le jao|kar do)")
    + cues("cancel", "cancellation", weight=0.85)
)

_REPEAT = (
    cues("sorry", "what", "kya", "huh", "pardon", "excuse me", "sorry what", "kya kaha", "haan kya",
         weight=0.85, whole=True, negatable=False)
    + cues("hello", "(haan|ji|haan ji) (boliye|bolo|bataiye)", "boliye", "हेलो", weight=0.6, whole=True, negatable=False)
    + cues("pardon", "come again", "say (that|it)? again", "(can|could|would) you (please)? repeat", "repeat (that|it|please)?",
           "what did you (say|just say)", "(i)? didnt (get|catch|hear|understand) (that|you|it|what you said)", "(i)? didnt (catch|hear|understand)",
           "(i)? (cant|could not|couldnt) hear (you)?", "not (clear|audible)", "(voice|line|sound) (is)? (not clear|breaking|unclear)", "(voice|line|sound) isnt clear",
           "one more time", "once (more|again)", "phir se (boliye|bolo|bataiye|batao|kahiye|kaho|bolna)?",
           "dobara (boliye|bolo|bataiye|batao|bolna)", "kya (bola|kaha|boli|bol rahe|bol rahi)", "samajh nahi (aaya|aa raha|aayi|aa rahi)",
           "sunai nahi (diya|de raha|de rahi)", "(awaz|aawaz|awaaz) (nahi aa rahi|saaf nahi|kat rahi|kam hai)", "ek baar (aur|phir)",
           "(dheere|slowly|slow) (boliye|bolo|please)?", "what was that", "what do you mean", "matlab", "kya matlab",
           negatable=False)
)

_PERSON = (
    "human|person|agent|executive|representative|operator|manager|supervisor|someone|somebody|real person|"
    "customer care|customer service|officer|senior|staff"
)
_HUMAN = (
    cues(f"(talk|speak|baat) (to|with) (a|an|the|some|your)? (real)? ({_PERSON})",
         f"(connect|transfer|put) (me)? (to|through to)? (a|an|the|some|your)? (real)? ({_PERSON})",
         f"(i want|i need|give me|get me) (a|an|the)? (real)? ({_PERSON})", "real (person|human)", "human being", "live agent",
         "(agent|executive|manager|insaan|aadmi|customer care|kisi|officer|senior) se baat (karni|karna|karao|karwao|karwa do|karunga|karungi)",
         "(agent|executive|manager|insaan|aadmi|officer|senior) (ko|se)? (connect|transfer) (karo|kar do|kijiye)",
         "kisi (insaan|aadmi) se", "(asli|real) insaan", "robot se baat nahi",
         "(dont|do not) want (to)? (talk|speak) (to|with) (a|the|this|your)? (robot|bot|machine|computer|recording)", "(not|no) (a|this)? (robot|bot|machine|recording)",
         negatable=False)
    + cues("customer care", "customer service", "are you a (robot|bot|machine)", weight=0.7, negatable=False)
)

_OPT_OUT = cues(
    "dont (ever)? call (me|this number|us)? (again|anymore|any more|ever)", "dont call (me|this number|here)",
    "never call (me|this number)? (again)?", "stop calling (me|this number)?", "do not call", "remove my number",
    "remove (me|this number) (from)? (your)? (list|calling list|database)?", "take (me|my number) off (your|the)? (list|calling list)?",
    "delete my number", "unsubscribe", "dont disturb (me)?", "do not disturb", "put me on (the)? (dnc|do not call) (list)?",
    "(call|phone) mat (karna|karo|kijiye|kariye)", "(dobara|phir se|kabhi|aage se) (call|phone) mat (karna|karo|kijiye)?",
    "(mujhe|is number pe|is number par) (call|phone) mat", "(call|phone) karna band (karo|kijiye|kar do)",
    "number (hata|delete|remove) (do|dijiye|karo|kar do|kijiye)", "list se (hata|nikal) (do|dijiye)",
    "(pareshan|tang|disturb) mat (karo|kijiye|karna)", "no more calls", "stop these calls",
    "(दोबारा|फिर से)? (कॉल|फोन) मत (करना|करो|कीजिए)",
    negatable=False,
)

_NEGOTIATION = (
    cues("(cant|unable to|wont be able to|not able to|wont) pay", "(i)? dont have (the|enough)? money", "no money",
         "lost (my)? job", "no (job|income|salary)", "salary (not|hasnt|nahi|late|delayed|abhi nahi)",
         "(financial|money) (problem|problems|difficulty|difficulties|trouble|issue|issues|crisis)", "hardship",
         "(in)? (installments|instalments|installment|instalment|emis)", "pay (in)? (parts|part|half)",
         "(partial|part) payment", "(more|extra|some) time", "need (more)? time", "extension",
         "extend (the)? (date|deadline|due date)", "(reduce|lower|waive) (the)? (amount|penalty|interest|charges|fine)",
         "discount", "settlement", "pay (it)? (later|next week|next month|after)", "(after|when i get) (my)? salary",
         "paisa nahi (hai)?", "abhi paisa nahi", "(thoda|kuch) (time|samay|waqt) (chahiye|de do|dijiye)", "kisht",
         "kishton (mein)?", "aadha (abhi|payment|amount)", "(naukri|job) (chali gayi|chhoot gayi|nahi hai)",
         "haath tang", "tight hai", "pay nahi kar (sakta|paunga|paungi)", "bhar nahi (sakta|paunga|paungi)", "nahi bhar (sakta|paunga|paungi)",
         "salary (aane ke baad|aane par|ke baad)", "agle (mahine|hafte)", "next (month|week)", negatable=False)
    + cues("negotiate", "emi", weight=0.8)
)

_ALREADY_PAID = cues(
    "already paid", "(i|we) (have)? (already)? paid (it)?", "paid (it)? (already|yesterday|last week|today|last month)",
    "payment (done|made|completed|is done|ho gaya|ho gayi|kar diya|kar di|de diya|bhej diya)",
    "(maine)? (pay|payment|bhugtan) kar (diya|di|chuka|chuki)", "(bhar|jama) (diya|kar diya|kar di|chuka|chuki)",
    "(paisa|amount) (de diya|bhej diya|jama kar diya)", "(i have)? made the payment", "already (made|done) (the)? payment",
)

# fmt: on

INTENT_CUES: dict[Intent, tuple[Cue, ...]] = {
    Intent.YES: _YES,
    Intent.NO: _NO,
    Intent.CALLBACK_REQUEST: _CALLBACK,
    Intent.WRONG_NUMBER: _WRONG_NUMBER,
    Intent.CHANGE_REQUEST: _CHANGE,
    Intent.CANCEL_REQUEST: _CANCEL,
    Intent.REPEAT_REQUEST: _REPEAT,
    Intent.HUMAN_REQUEST: _HUMAN,
    Intent.OPT_OUT: _OPT_OUT,
    Intent.NEGOTIATION: _NEGOTIATION,
    Intent.ALREADY_PAID: _ALREADY_PAID,
}
