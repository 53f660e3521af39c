"""Fraud claims and disputes: the caller says a transaction or order is not theirs."""

_TXN = (
    "order|orders|payment|payments|loan|purchase|transaction|transactions|emi|charge|charges|item|product|"
    "booking|subscription|account|card|debit|deduction|withdrawal|transfer|amount|bill"
)

CLAIM = [
    "(never|didnt|did not|have not|havent|nobody|no one) (place*|order*|buy|bought|purchase*|"
    f"authori[sz]e*) (for)? (this|that|any|the|an|a|such|these|those|it)? ({_TXN})?",
    "(never|didnt|did not|have not|havent|not|nobody|no one) (request*|book*|apply|applied|sign* up|"
    f"subscribe*|approve*|initiate*|agree*|place*|order*) (for|to)? (this|that|any|the|an|a|such|these|those)? ({_TXN})",
    f"(never|didnt|did not|havent|have not) (make|made|do|did|take|took|receive|received|get|got) "
    f"(this|that|any|the|such|these|those|a|an)? ({_TXN})",
    "(not|wasnt|was not|isnt|is not|werent|were not) (made|done|placed|ordered|authori[sz]ed|initiated|approved|"
    "requested|bought) by (me|us|my family|anyone (i|we) know)",
    f"(not|isnt|is not|wasnt|was not|none of them) (my|our) ({_TXN})",
    "(not|isnt|wasnt|none of them|none of these) (mine|ours)",
    "(someone|somebody|some one|someone else|somebody else|another person|a stranger|some stranger|"
    "some fraud|a fraudster|unknown person) (is|has|had|was|has been|must have|must be)? "
    "(using|used|misusing|misused|hacked|accessed|took|ordered|placed|made|stole|stolen|opened|taken)",
    "(hacked|compromised|stolen|cloned|misused|breached|skimmed) (account|card|phone|id|identity|details|"
    "password|otp|sim|upi|wallet)?",
    "(my)? (account|card|phone|identity|details|password|otp|sim|upi|wallet|id) (was|is|has been|got|have been)? "
    "(hacked|stolen|compromised|misused|cloned|leaked|breached)",
    "(identity theft|fraud|fraudulent|fraudster|fraudsters|scam|scammed|scammer|scammers|cheat|cheated|cheating|"
    "cheaters|unauthori[sz]ed|forged|forgery|phishing|duplicate charge|duplicate payment|double charged|"
    "charged twice|charged two times|debited twice|deducted twice|wrongly charged|wrong charge|wrongly debited|"
    "chargeback|charge back)",
    "(dispute|disputing|disputed)",
    f"(contest|contesting|challenge|challenging) (this|that|the|my|these)? ({_TXN})",
    f"(this|that|the) ({_TXN}) (is|was) (wrong|incorrect|false|fake|bogus|not valid|invalid|a mistake|an error)",
    f"(this|that|the) ({_TXN}) (isnt|wasnt) valid",  # speech folds "is not" into "isnt"
    "(fake|bogus|false) (order|charge|transaction|payment|loan|emi|bill|call)",
    f"(dont|do not|didnt|did not|cant|cannot) (recogni[sz]e|know about|remember making|remember placing|"
    f"recall making|recall placing) (this|that|the|any|these|such)? ({_TXN})",
    "without my (permission|consent|knowledge|approval|authori[sz]ation|otp|knowing)",
    "(galat|wrong|unknown|unauthori[sz]ed|fake|suspicious|strange|unrecogni[sz]ed) (transaction|transactions|debit|"
    "deduction|charge|charges|payment|order) (hua|hui|hai|tha|ho gaya|ho gayi|kiya)?",
    f"({_TXN}|order|payment|transaction) (mera|meri|hamara|humara|hamari) (nahi|nhi) (hai|tha|thi|he)?",
    "(kisi|koi) (aur|dusre|doosre|anjaan|ajnabi)? ne (mere|meri|hamare|humare) (naam|account|card|id|number|details) "
    "~ (order|kiya|liya|use|istemal|istemaal|mangaya|loan|payment)",
    "(bina|without) (permission|bataye|puche|poochhe|ijazat|ijaazat|meri marzi|marzi) ~ (kata|kaat|kaata|deduct|"
    "debit|order|liya|kiya|nikala|nikaal)",
    # Hinglish
    f"(maine|hamne|humne|mai ne|main ne|mene) (yeh|ye|ye wala|yeh wala|koi|is|aisa|aisi|aise|kabhi|to|toh)? "
    f"({_TXN}|kuch|koi order|koi payment|koi loan)? (kiya|kia|liya|li|manga|mangaya|mangwaya|diya|kari|ki|"
    "kharida|kharidi|book kiya|apply kiya|order kiya) (hi|tha|thi)? (nahi|nhi|nahin)",
    "(maine|hamne|humne|mai ne|main ne|mene) (yeh|ye|koi|is|aisa|aisi|kabhi|ye wala|yeh wala) ~ "
    "(nahi|nhi|kabhi nahi) (kiya|kia|liya|li|manga|mangaya|mangwaya|kari|kharida|diya|mangvaya)",
    f"(mera|meri|hamara|hamari|humara) (koi)? ({_TXN}|order|payment) (nahi|nhi) (hai|tha|thi|he)",
    "(kisi|koi) (aur|dusre|doosre|anjaan|ajnabi) (ne|ka|ki) (kiya|liya|use|order|istemal|istemaal|mangaya|account)",
    "(hack|hacked|hacking|hack kar liya|hack ho gaya|hack hua|hack kiya)",
    f"(ye|yeh|is|iss|koi|wo|woh) ({_TXN}|paise|paisa|order|payment|loan|transaction|amount|saaman) (maine|hamne|humne|mene|"
    "mai ne|main ne) (to|toh|kabhi)? (nahi|nhi) (kiya|kia|liya|li|bheja|bheje|bheji|diya|kari|manga|mangaya|mangwaya|"
    "kharida|kata|kaata|kiye|liye)",
    "(dhokha|dhoka|dhokhadhadi|dhokadhadi|dhokebaazi|dhokhebaazi|farzi|farji|jaalsaazi|jalsaji|thagi|thag|"
    "thagne|loot liya|chori|chor)",
    "(account|card|phone|sim|upi) (hack|chori|hack ho gaya|hack hua|chori ho gaya|misuse)",
    "(paisa|paise|amount|rupaye) (galat|wrongly|bina bataye|bina puche) (kata|kaat|katna|deduct|liya)",
    "(do baar|double|dobara) (kata|kaata|charge|deduct|payment)",
    # Devanagari
    "(धोखा|फ्रॉड|फ्रोड|ठगी|मैंने नहीं)",
]

WEAK = [
    "(is|was|isnt) (this|it) (a)? (scam|fraud|fake|genuine|real call)",
    "(suspicious|shady|doubtful|fishy)",
    "(who|how) (gave|got|has) (you)? my (number|details|information)",
    "(wrong|incorrect|extra) (amount|charge|charges|deduction|bill)",
    "(galat|extra) (amount|charge|paisa|paise|bill)",
]
