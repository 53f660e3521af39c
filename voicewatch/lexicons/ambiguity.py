"""Hedges, fillers, affirmations and deferrals: what separates a real "yes" from a non-answer."""

# Non-committal content: on its own enough to doubt the answer.
HEDGE = [
    "not (really|quite|very|totally|too|so|entirely|a hundred percent|100 percent|fully)? (sure|certain|convinced|clear)",
    "(unsure|uncertain|undecided|ambivalent)",
    "(i|we)? (dont|do not|didnt|did not) (really)? know",
    "no idea",
    "(cant|cannot|can not|couldnt) (really)? (say|tell|decide|commit|confirm)",
    "(hard|difficult|tough) to (say|tell|decide)",
    "(i|we) (guess|suppose)",
    "(maybe|may be|perhaps|possibly|probably|could be|might be|not necessarily)",
    "(not|havent|have not|not yet) (decided|confirmed|made up my mind|sure yet)",
    "(let me|i will|i need to|i have to|need to|have to|i want to|i should|ill) (think|check|ask|see|consult|discuss|"
    "confirm later|get back|talk to my|speak to my)",
    "think (about|over) (it|this|that)",
    "(yes|yeah|haan|ji|okay) (but|and|or) (no|nahi|not|maybe)",
    "(yes|no) or (no|yes)",
    "(ask|check with|consult|discuss with|talk to) (my)? (wife|husband|family|son|daughter|father|mother|boss|spouse|"
    "partner|parents|brother|sister)",
    "(dont|do not|cant|cannot) (remember|recall)",
    "(i am|im) (confused|not clear|in two minds)",
    "(confused|confusing|in two minds)",
    # Hinglish / romanised Hindi
    "(pata|maloom|malum|maaloom|idea) (nahi|nhi)",
    "kya pata",
    "(pakka|sure|confirm|yakeen|yakin|bharosa) (nahi|nhi)",
    "(shayad|sayad|shaayad)",
    "(dekhte|dekhenge|dekh lenge|dekhta|dekhti|dekh ke|dekhkar|dekh kar) (hain|hai|hoon|hun|batata|batati|bataunga|"
    "bataungi|bolta|bolunga)?",
    "(sochna|sochni|sochenge|soch ke|soch kar|sochkar|sochke|sochta|sochti|sochne|sochunga|sochungi) (padega|padegi|hai|hoon|hun|do|dijiye|"
    "bataunga|bataungi|batata|batati|batayenge|bolunga|bolungi|ke batata|ke bataunga|ke bataungi|de)?",
    "(abhi)? (decide|tay|faisla|final) (nahi|nhi) (kiya|kar|hua|paya)",
    "baad (mein|me|mai) (batata|batati|bataunga|bataungi|batayenge|decide|sochenge|dekhenge|bolta|bolunga)",
    "(ghar|family|gharwalon|wife|husband|biwi|pati|papa|mummy|bhai) (se|mein|me)? (puch|pooch|baat kar|discuss)",
    "(yaad|samajh) (nahi|nhi) (hai|aa raha|aata|pa raha)",
    "haan bhi nahi bhi",
    "haan ya nahi",
    "(kuch)? (keh|kah|bol) (nahi|nhi) (sakta|sakti|sakte|paunga|paungi)",
    "(kehna|kahna|bolna) mushkil",
    "(confuse|confused|confusion) (hoon|hun|hai|ho gaya|ho gayi)",
    "(क्या पता|पता नहीं|शायद|देखते हैं|सोचना पड़ेगा)",
]

# Softer hedges: common in plain answers too, so they need company to count.
SOFT_HEDGE = [
    "(kind of|sort of|kinda|sorta|more or less|i mean|not really|not exactly)",
    "(we will|well|lets|we ll|let us) see",
    "(it)? depends",
    "(later|some other time) (maybe|perhaps|i think)",
    "(ho sakta hai|ho bhi sakta|ho sakta)",
    "(i think|i believe|lagta hai|mujhe lagta)",
]

# Thinking-noises: evidence of hesitation only, never of a non-answer by themselves.
FILLER = [
    "h+m+", "m+h*m+", "u+m+", "u+h+", "e+r+m+", "a+h+", "well", "matlab", "woh", "wo", "actually", "basically",
    "like i said", "you know", "let me see", "how do i say", "kaise bolun", "kya kahun", "kya bolun",
]

AFFIRM = [
    "(yes|yeah|yep|yup|yess|yea|sure|okay|alright|all right|correct|right|fine|done|absolutely|definitely|"
    "of course|agreed|exactly|perfect|great|confirmed|confirm*|go ahead|please do|do it|send it)",
    "(haan|ha|ji|jee|han|hanji|ji haan|bilkul|zaroor|jaroor|theek|theek hai|sahi|sahi hai|chalega|chalo|"
    "kar do|kar dijiye|kar dena|bhej do|bhej dijiye|bhej dena|ho gaya|pakka|accha|thik)",
    "(हाँ|हां|जी|ठीक है|ठीक|बिल्कुल|सही है|चलेगा)",
]

# A clear "no" is an answer too: a long pause before it is not evasion.
DECLINE = [
    "(no|nope|nah|not now|not interested|nahi|nahin|na|mat|dont want|do not want|not required|no thanks|no thank you|"
    "nahi chahiye|mat bhejo|mat karo)",
    "(नहीं|ना)",
]

# Thanks and praise: with AFFIRM, what a happy (possibly loud) caller says.
GRATITUDE = [
    "(thank*|thanks|thx|shukriya|dhanyavaad|meherbani|awesome|wonderful|excellent|lovely|fantastic|amazing|"
    "brilliant|superb|badhiya|zabardast|shandaar|mast|nice|good|happy|glad|pleased|khush|finally)",
    "(धन्यवाद|शुक्रिया|बढ़िया)",
]

# "Call me later" is a routine instruction, not a non-answer: recorded so the
# explanation can say why a hedge-like turn was not treated as ambiguity.
DEFERRAL = [
    "(call|ring|phone) (me)? (back)? ~ (later|tomorrow|in the evening|in the morning|after|in an hour|some other time|"
    "next week|tonight|at night)",
    "(busy|driving|in a meeting|at work|in office|travelling|traveling|on the road) (right now|now|at the moment)?",
    "(not|bad) (a good|the right) time",
    "(baad|bad) (mein|me|mai) (call|phone|baat|karna|kijiye|karo)",
    "(shaam|subah|kal|raat) (ko)? (call|phone|baat) (karna|kijiye|karo|karenge)",
    "(abhi|filhal) (busy|bahar|drive|gaadi|meeting|office)",
]
