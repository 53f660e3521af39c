"""Legal and regulatory threats."""

_BODIES = (
    "court|consumer court|consumer forum|district forum|high court|supreme court|tribunal|ombudsman|"
    "banking ombudsman|rbi|reserve bank|cyber cell|cyber crime|cybercrime|police|cops|police station|"
    "fir|trai|sebi|irdai|consumer helpline|national consumer helpline|consumer commission|"
    "consumer protection|authorities|regulator|bbb|better business bureau|ftc|attorney general|"
    "adalat|kachehri"
)

THREAT = [
    "(my|our|a|the|family)? (lawyer|lawyers|advocate|attorney|solicitor|legal counsel|legal team|vakil|vakeel)",
    "(legal|court|police|criminal|consumer) (action|notice|case|complaint|proceedings|proceeding|matter|route|steps)",
    "(take|taking|initiate|start) (you|this|it|the matter)? (to court|legal)",
    "(will|gonna|going to|shall|can|must|should|might|would) (sue|prosecute|drag)",
    "(sue|suing) (you|your|the company|them|this company|ur)",
    "see you in court",
    f"(complain|complaint|report|reporting|escalate|approach|go|going|write|writing|inform|file|lodge|take this) "
    f"~ (to|with|in|at|before) (the)? ({_BODIES})",
    "(call|calling|go to|approach|inform|contact|involve) (the)? (police|cops|cyber cell|authorities)",
    "(file|lodge|register|raise|filing|lodging) (a|an)? (fir|police complaint|case|lawsuit|suit|petition|legal complaint)",
    "(consumer court|consumer forum|district forum|consumer commission|banking ombudsman|ombudsman|cyber cell)",
    "(lawsuit|litigation|legal notice|summons|defamation|legal action)",
    "harass* (case|complaint|charges|report)",
    # Hinglish
    "(case|kes|mukadma|mukadama|muqadma|muqadama|fir) (kar|karunga|karungi|kar dunga|kar dungi|darj|thok|"
    "dalunga|daalunga|karwaunga|karwa dunga|file)",
    "(court|adalat|kachehri|consumer court|consumer forum) (mein|me|mai|le|jaunga|jaungi|jayenge|tak|ka darwaza|"
    "me jaunga|se)",
    "(police|cyber cell) (mein|me|mai|ko|complaint|report|case|jaunga|jaungi|bulaunga|bulaungi|"
    "bulata|bula|tak|se)",
    "(vakil|vakeel|lawyer|advocate) (se|ko|karunga|bhejunga|bhejega|ka notice|baat karega)",
    "(kanooni|kanuni|legal) (karyawahi|kaarvai|karvai|action|notice|case)",
    "notice (bhejunga|bhejungi|bhijwaunga|bhej dunga|bhejwa dunga|bhejenge)",
    "(upbhokta|upbhogta) (adalat|forum)",
    # Devanagari
    "(कोर्ट|अदालत|पुलिस|वकील)",
]

WEAK = [
    "harass*",
    "(complaint|shikayat|report) (karunga|karungi|kar dunga|kar dungi|karenge|darj)",
    "(file|lodge|register|raise) (a|an)? (formal)? complaint",
    "(report|reporting) (you|this|your company|your bank|it)",
    "(my|our) rights",
    "illegal",
]
