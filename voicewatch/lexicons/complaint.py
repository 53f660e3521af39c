"""Service complaints and loyalty cues (what a premium customer's complaint sounds like)."""

# Single words that are often, but not always, a complaint ("late", "delay").
MILD = [
    "(late|delayed|delay|delays|too long|took forever|taking forever|overdue|slow|missing|rude|again)",
    "(har|baar) (baar|din)",
    "(der|deri) (se|ho gayi|ho gaya|hui|hua)",
]

COMPLAINT = [
    "(late|delayed|delay|delays) (again|every time|always|each time|many times|twice|thrice|three times|repeatedly)",
    "(always|every time|each time|again) (late|delayed|delay|delays)",
    "(not|never|still not|yet to be|havent been|hasnt been) (delivered|arrived|received|shipped|dispatched|resolved|fixed|refunded)",
    "(never|didnt|did not|hasnt|has not|havent|have not) (arrive|arrived|come|came|reach|reached|receive|received|get|got)",
    "still waiting",
    "(damaged|broken|defective|faulty|torn|leaking|dented|scratched|tampered)",
    "(item|items|product|parcel|package|part|piece|order) (was|is|were|went)? missing",
    "wrong (item|product|size|colour|color|order|model|address|bill|delivery|parcel|package)",
    "(poor|bad|terrible|horrible|awful|worst|pathetic|lousy|shoddy|rude|careless|useless|slow|shabby) "
    "(service|quality|experience|support|delivery|staff|behaviour|behavior|packaging|courier|agent|response)",
    "(service|delivery|deliveries|quality|experience|support|app|product|courier|packaging|response) (has been|have been|is|was|were|got|is getting|has become|keeps getting)? "
    "(very|so|really|quite|extremely|pretty)? (poor|bad|terrible|horrible|awful|pathetic|slow|worse|worst|disappointing|"
    "unacceptable|useless|rubbish|shabby|late|delayed)",
    "(delivery boy|delivery guy|delivery person|delivery man|delivery agent|agent|staff|courier|executive|driver|"
    "technician|rider) (was|is|were|has been)? (very|so|really|extremely)? (rude|careless|unprofessional|abusive|"
    "misbehav*|arrogant|late|useless)",
    "(misbehav*|unprofessional|careless|negligent)",
    "(unacceptable|disappointed|disappointing|disappointment|frustrating|frustrated|annoying|annoyed|"
    "not happy|unhappy|not satisfied|dissatisfied|fed up|sick of|let down|shameful|disgraceful|appalling)",
    "(again and again|every (time|single time|month)|each time|over and over|repeatedly|time and again)",
    "(second|third|fourth|fifth|nth|umpteenth) time",
    "(two|three|four|five|several|many|multiple|so many|how many) (times|deliveries|orders|calls|complaints)",
    "(my|the) (last|previous|past) ~ (deliveries|orders|order|delivery|times) (were|was|have been|has been|came)",
    "(no|never any|zero) (response|reply|callback|call back|update|resolution|follow up|followup)",
    "(nobody|no one|noone|none of you|you never|you guys never) (has|have|had|ever)? (called|responded|helped|replied|"
    "came|bothered|cares|picked up|updated|informed|contacted|got back|followed up|called back)",
    "(been|still|keep|kept|am|was) waiting (for)? ~ (weeks|days|months|so long|ages|forever|a week|a month|hours)",
    "(khush|satisfied|santusht|happy|pleased|khus) (nahi|nhi)",
    "(overcharged|over charged|hidden charges|extra charges|charged extra)",
    "refund (not|never|still|yet|pending|hasnt|has not|is pending)",
    "(complain|complaining|complaint|complaints|grievance|escalation)",
    "(this is not|this is no|its not|its no) (the)? (way|acceptable|done|okay|ok)",
    "(expect|expected|expecting|deserve|deserved) (much|a lot|far|way|something)? (better|more)",
    "(keeps|keep|kept|always) (failing|crashing|breaking|happening|getting delayed|getting cancelled|going wrong)",
    "(still|is|was|are|were)? (not|never|doesnt|dont|didnt|isnt|wasnt|arent|werent) "
    "(working|work|fixed|resolved|sorted|addressed)",
    "(nobody|no one|noone) (fixes|fixed|resolves|resolved|helps|helped|solves|solved|listens|listened)",
    # Hinglish
    "(shikayat|shikaayat|complain) (hai|karni|karna|karunga|darj)",
    "(der|deri|late) (se)? (aaya|aayi|aate|aata|aati|pahuncha|pahunchi|deliver)",
    "(kabhi|ek baar bhi) (time|samay) (pe|par) (nahi|nhi)",
    "(har baar|baar baar) ~ (late|der|delay|kharab|galat|problem|dikkat)",
    "(kharab|toota|tuta|tooti|tuti|phata|ganda|galat|bekaar|bakwas|ghatiya) (saaman|item|product|maal|service|"
    "delivery|packing|order|aaya|aayi|nikla|nikli|hai)",
    "(galat) (item|saaman|product|order|maal|size|colour|rang|address)",
    "(saaman|saman|item|product|maal|order|parcel|packet|delivery|phone|package) (toota|tuta|tooti|tuti|kharab|galat|"
    "damaged|broken|late|der se|gayab|missing|defective) (hua|hui|tha|thi|aaya|aayi|nikla|nikli|mila|mili|pahuncha|"
    "hai|hota|hoti)?",
    "(abhi tak|ab tak) (nahi|nhi) (aaya|aayi|mila|mili|pahuncha|pahunchi|hua)",
    "(paisa|refund|paise) (wapas|vapas) (nahi|nhi) (aaya|mila|aayi)",
    "(koi|kisi ne) (jawab|response|reply|call) (nahi|nhi)",
    "(शिकायत|देर|खराब|टूटा|गलत)",
]

LOYALTY = [
    "(platinum|gold|premium|vip|prime|elite|privileged|priority|loyal|valued|privilege|diamond|signature) "
    "(member|members|customer|customers|client|membership|cardholder|card holder|user|account holder)",
    "(loyal|old|long time|longtime|regular|oldest|purana|puraana|purane|puraane) (customer|client|grahak)",
    "(for|since|from) (\\w+ )?(years|decades|saal|saalon|barson)",
    "(customer|member|client) (for|since) ~ (years|decades)",
    "(itne|kai|bahut) (saal|saalon|barson) (se)",
]
