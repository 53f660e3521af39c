"""Explicit requests to leave the bot for a person (English, Indian English, Hinglish, Hindi)."""

_PERSON = (
    "person|human|human being|agent|representative|rep|executive|operator|somebody|someone|"
    "manager|supervisor|officer|advisor|adviser|customer care|customer service|customer support|"
    "support team|staff|team member|associate|man|woman|lady|guy|people|live agent|call centre|"
    "call center|helpdesk|help desk|senior|boss|your senior|real one"
)

REQUEST = [
    f"(talk|speak|chat|connect|talking|speaking) (to|with) (a|an|the|some|your|any|one of your)? "
    f"(real|live|actual|proper|genuine|human)? ({_PERSON})",
    f"(connect|transfer|put|pass|forward|route|redirect|hand|switch|patch) (me|my call|the call|this call)? "
    f"(to|with|through to|over to|through|on to)? (a|an|the|your|some)? (real|live|actual)? ({_PERSON})",
    f"(get|give|find|bring) me (a|an|the|your|some)? (real|live|actual)? ({_PERSON})",
    f"(want|need|like|prefer|request|demand) (a|an|the|your|some)? (real|live|actual|human) ({_PERSON})",
    f"(i want|i need|i would like|let me|can i|could i|may i) (to)? (talk|speak) (to|with) ~ ({_PERSON})",
    "(real|live|actual|genuine) (person|human|agent|voice)",
    "(is there|isnt there|is not there|do you have|dont you have|you have|have you got) (anyone|someone|somebody|any person|"
    "a person|a human|an agent|any agent|a real person|anybody) (i can|to|who can|that can|i could|with whom i can) "
    "(talk|speak|chat|help)",
    f"(put|get|bring) (a|an|the|some|your|my)? (real|live|actual)? ({_PERSON}) on (the)? (phone|line|call)",
    f"(rather|prefer to|better) (talk|speak) (to|with) (a|an|the|some)? (real|live|actual)? ({_PERSON})",
    "human being",
    "(want|need|like|ask|get|have|prefer) (a|an|some|your|one of your)? (someone|somebody|person|human|agent|"
    "representative|executive|manager|officer|staff|real person) ~ (to)? (call|ring|contact|phone) (me|us)",
    "(a|an|some|your|real|live|actual) (person|human|agent|executive|representative|manager|officer) "
    "(to|should|must|can|could|will)? (call|ring|phone|contact) (me|us) (back)?",
    "instead of (this|a|the|your|talking to a|talking to this)? (robot|bot|machine|recording|computer|ai)",
    "(not|no) (more)? (a|this|the)? (bot|robot|machine|recording|computer|automated (voice|call|system))",
    "(stop|enough of|done with|hate) (the|this|your)? (bot|robot|machine|recording|automated (voice|call|system))",
    "(dont|do not) want (to)? (talk|speak) (to|with) (a|an|the|this|your)? (bot|robot|machine|computer|recording)",
    "(human|person|agent|operator|representative|manager|supervisor) (please|now|right now|immediately)",
    "(escalate|escalation) (this|my call|the call|it)? (to|please)",
    # Hinglish / romanised Hindi
    "(kisi|koi|ek)? (insaan|aadmi|banda|bande|vyakti|manushya|asli insaan|asli aadmi|real insaan|"
    "real aadmi|zinda insaan|jeeta jagta insaan) (se|ko) (baat|connect|transfer|do|dijiye|lagao)",
    "(agent|executive|officer|manager|supervisor|customer care|customer service|representative|operator|staff|"
    "senior|sahab|saheb|malik|team|human|person|insaan|aadmi|banda|bande|call center|call centre|helpline|support) "
    "(wala|ke|ke kisi|ke kisi bande|ke kisi aadmi)? (se|ko) (baat|connect|milna|milao|milwao|karao|karwao|transfer|jod|"
    "jodo|jod do|jod dijiye)",
    "(agent|executive|manager|customer care|insaan|aadmi|banda|operator|senior|officer) (ko|se)? "
    "(do|dijiye|de do|lagao|laga do|lagaiye|bulao|bulaiye|connect karo|connect kijiye|connect kar do|"
    "transfer karo|transfer kar do|transfer kijiye|line pe lao|phone do)",
    "(asli|real|sachcha|zinda) (insaan|aadmi|banda|agent|vyakti)",
    "(robot|machine|bot|computer|mashine|recording) (se|ke saath) (baat)? (nahi|nhi|mat)",
    "(robot|machine|bot|computer|recording) (nahi|nhi) (chahiye|chalega)",
    "(koi|kisi) (insaan|aadmi|banda|agent) (hai|se|ko)",
    # Devanagari
    "(इंसान|इन्सान|आदमी|एजेंट|अधिकारी|मैनेजर) से बात",
    "किसी से बात",
]

# Questions about the bot are a softer cue: some callers ask out of curiosity.
WEAK = [
    "are you (a|an)? (robot|bot|machine|computer|real person|human|recording|automated)",
    "is (this|it) (a|an)? (robot|bot|machine|recording|computer|automated|recorded)",
    "(anyone|someone|somebody) (there|else|real)",
    "(aap|tum|ye|yeh) (robot|machine|bot|computer|recording) (ho|hai|hain)",
    "(customer care|helpline|call centre|call center) (number|ka number)",
]
