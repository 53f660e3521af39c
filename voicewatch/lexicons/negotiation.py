"""Negotiation (part payments, fee waivers, more time) and payment hardship."""

_DUES = "emi|emis|payment|payments|amount|dues|due|bill|instalment|installment|loan|balance|money|kisht"
_FEES = (
    "late fee|late fees|late charge|late charges|late payment fee|penalty|penalties|charges|charge|"
    "interest|fine|fee|fees|bounce charge|bounce charges|processing fee|overdue charges|byaaj|jurmana"
)

NEGOTIATION = [
    # part payment / instalments
    "(pay|give|deposit|transfer|clear|send|manage|do) (only|just|about|around)? (half|part|partial|"
    "some|a part|a portion|a little|a bit|less|part of it|half of it|fifty percent|50 percent|\\d+ percent)",
    "(half|part|partial|token) (payment|amount|emi|now|today)",
    "(in|into) (two|2|three|3|four|4|few|multiple|small|smaller|easy|monthly|weekly|equal)? "
    "(installments|instalments|parts|payments|small amounts|emis|kishton|kisht|chunks|tranches)",
    "(installment|instalment|payment|repayment) plan",
    "(get|give me|need|want|any|request|ask for|grant|is there) (an|some|a|any)? (extension|more time|extra time|"
    "grace period|deferment|deferral)",
    "(short|tight|low|running low|running short) (on|of) (money|funds|cash)",
    "(can|could) we (do|arrange|work out|manage|figure out) something",
    f"(split|divide|break) (it|this|the|my)? ({_DUES})?",
    "(rest|remaining|balance|remainder|the other half|baki|baaki) (next|later|after|by|in|at the end|agle|baad)",
    "(pay|clear|settle|give|deposit) ~ (next|after|end of|in a few|in two|in 2|in a couple of|by the end of) "
    "(week|weeks|month|months|few days|days|salary|payday|pay day)",
    "(pay|paying|payment) (it)? (later|after my salary|after salary|once (i|my salary|salary) (get|comes|is credited))",
    f"(more|extra|some|a little|a bit of|few more|additional) (time|days|weeks) (to pay|for (the)? ({_DUES}))?",
    f"(extend|extension|postpone|push|defer|delay|reschedule|move|shift) ~ (the)? (due date|due|deadline|({_DUES}))",
    "(due date|deadline|payment date|emi date) (extension|extend|postpone|aage|badha|badhao|badha do|aage kar)",
    f"({_DUES}) (ki|ka|ke)? (date|tareekh)? (thodi|thoda|kuch|ek hafta|do din|kuch din)? (aage|extend|postpone|"
    "badha|badhao|badha do)",
    "(ek|do|teen|kuch|thoda|thode|10|15) (hafta|hafte|din|mahina|mahine|week|weeks|days) (aur|ka time|ki mohlat|extra|"
    "ka samay)? (chahiye|de do|dijiye|milega|do|mil jaye)",
    "(aur|extra|zyada) (time|samay|waqt|din|hafta|mohlat) (chahiye|do|dijiye|de do|milega|mil sakta)",
    "(poore|pure|saare|sare|full) (paise|paisa|amount|payment) (nahi|nhi) (hai|hain|de|bhar|dunga|dungi|kar)",
    "grace period", "moratorium", "restructur*", "one time settlement", "ots",
    f"settle (the|my|this)? ({_DUES}|account|matter|loan)",
    f"(waive|waiver|waived|remove|reverse|reversal|cancel|reduce|lower|drop|forgive|write off|discount on) "
    f"(the|my|this|that|off|of)? ({_FEES})",
    f"({_FEES}) (waive*|removed|reversed|reduced|cancel*|maaf|hata*|kam|chhod*|waiver)",
    f"(lower|reduce|smaller|decrease|cut) (the|my)? ({_DUES})",
    "(work|sort|figure) (something|it|this) out",
    f"({_DUES}|interest|penalty|fee|fees|charges|late fee|rate|rate of interest) (be|get|been|is|to be)? "
    "(reduced|lowered|waived|cut|decreased|restructured|rescheduled|extended|postponed|split|deferred|adjusted)",
    "(only|just|sirf|bas) (half|a part|part|some|a portion|partial|aadha|aadhe|thoda|kuch)",
    "(\\d+|few|a few|couple of|a couple of|two|three|four|five|seven|ten|fifteen|some) (more|extra|additional) "
    "(days|day|weeks|week|months|month)",
    "(give|allow|grant|need|want) (me|us)? (\\d+|a few|some|two|three|four|five|seven|ten|fifteen|one|a) (more)? "
    "(days|weeks|week|months|month) (more|extra|to pay|for (the)? payment)?",
    "(discount|concession|chhoot|chhut|rahat|relief|rebate) (milega|mil sakta|mil sakti|do|dijiye|de do|chahiye|"
    "possible|hai kya|milegi)",
    "(partial|part) (payment|pay)",
    "(money|cash|funds|finances|budget|paisa|paise|haath) (is|are|hai|hain|bahut|thoda|a bit|very|really)? "
    "(tight|short|low|tang|kam|a problem|an issue)",
    "(give|allow|grant) (me|us) (some|a little|little|more|a bit of|bit of|a few|few|a couple of|one|two|a) (more)? "
    "(time|days|weeks|week|month|months)",
    "(salary|tankhwah|tankha|pagaar|pagar|pension|paisa|paise) (aane|milne|aaye|mile|credit hone|aa jaye|aa jane) "
    "(do|ke baad|par|pe|tak|dijiye|dena|ke baad de|ke baad bharunga)",
    "(after|once|when) (my|the|i get my|i receive my)? (salary|paycheck|pay|wages|pension) (comes|arrives|is credited|"
    "credits|gets credited|comes in)?",
    "(can|could|shall) we (negotiate|discuss|talk about|work on) (the)? (amount|payment|emi|terms|dues)?",
    "(negotiate|negotiation|concession|rebate)",
    "(any|some|a) (discount|offer|relief|concession)",
    "(if|only if) you (waive|reduce|remove|give|lower|cut|drop)",
    # hardship
    "(cant|cannot|unable to|wont be able to|not able to|will not be able to|wont manage to|cant manage to|"
    "difficult to|hard to|struggling to|not in a position to) (pay|afford|make (the)? payment|arrange|clear)",
    "(cant|cannot) afford",
    "(dont|do not|didnt) have (the|enough|any|that much)? (money|funds|cash|balance)",
    "(no|short of|tight on|low on|out of|lack of) (money|funds|cash)",
    "(financial|money|cash|cash flow|monetary) (problem|problems|trouble|troubles|crisis|issue|issues|"
    "difficulty|difficulties|constraint|constraints|situation|hardship)",
    "(salary|pay|paycheck|wages|pension) (not|hasnt|has not|didnt|did not|is not|isnt) ~ (come|came|credited|arrived|paid)",
    "(salary|paycheck|pay|wages|pension) (is|was|got)? (delayed|late|stuck|held up|pending)",
    "(tight|difficult|hard) (month|time|times|period) (financially)?",
    # Hinglish
    "(aadha|aadhi|aadhe|thoda|thodi|kuch|half) (abhi|paisa|payment|amount|de|dunga|dungi|de sakta|bhar|"
    "bharunga|bharungi|jama|pay)",
    "(baaki|baki|bacha hua|bachi hui|remaining|rest) (agle|next|baad|bad|salary|mahine|hafte)",
    "(agle|next) (mahine|hafte|week|month|salary) (de|dunga|dungi|bharunga|bharungi|bhar|pay|karunga|"
    "karungi|kar dunga|kar dungi|tak|jama)",
    "(kuch|thoda|thodi) (adjust|kam|time|samay|mohlat|waqt|din|relief|rahat|chhoot)",
    "(adjust|settle|settlement) (ho sakta|ho jayega|kar do|karo|kar sakte|kijiye|karwa)",
    "(kishton|kisht|tukdon|hisson) (mein|me|mai)",
    "(maaf|kam|kum|hata) (kar do|karo|kijiye|kar dijiye|ho sakta|ho jayega|karwa)",
    "(paisa|paisay|funds|rupaye|rupees|paise) (nahi|kam|khatam|tight) (hai|hain|he|bache|ho gaye|pade)",
    "(abhi|is mahine|iss mahine|filhal) ~ (nahi de|nahi bhar|pay nahi|payment nahi|nahi kar) (sakta|sakti|paunga|"
    "paungi|payega|payenge|sakte|sakunga|sakungi)",
    "(salary|tankhwah|tankha|pagaar|pagar|vetan) (nahi aayi|nahi aaya|late|der se|abhi nahi|ruki|atki)",
    "(time|samay|mohlat|waqt|din) (chahiye|do|dijiye|de do|milega|mil sakta|de dijiye|badha)",
    "(due date|payment date|emi date|emi ki date|payment ki date|due date ko|tareekh ko) (aage|badha|badhao|badal|"
    "extend|postpone)",
    "(haath|hath) (tang|tight) (hai|hain|chal raha)",
]

WEAK = [
    "(next|agle) (month|mahine|week|hafte)",
    "(discount|offer|cashback)",
    "(thoda|some|little) time",
]
