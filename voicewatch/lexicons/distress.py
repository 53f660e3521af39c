"""Distress and vulnerability: the caller should be handled by a trained person."""

_KIN = (
    "father|mother|husband|wife|son|daughter|dad|mom|mum|papa|mummy|brother|sister|child|baby|kid|"
    "parent|parents|grandfather|grandmother|grandma|grandpa|family member|uncle|aunt|in law|mother in law|"
    "father in law|pati|patni|beta|beti|bhai|behen|maa|baap|pitaji|mataji|dadi|dada|nani|nana|sasur|saas|bachcha|bachche"
)

STRONG = [
    # job / income loss
    "(lost|lose|losing) (my|his|her|our|the)? (job|jobs|work|employment|income|livelihood|business)",
    "(laid off|got fired|been fired|was fired|retrenched|unemployed|jobless|out of work|no job|no work|no income|"
    "lost everything|business (shut|closed|collapsed|failed))",
    "(naukri|job|kaam|rozgar|dhandha|business|dukaan) (chali gayi|chala gaya|chhoot gayi|chhut gayi|chhuti|chhoot gaya|"
    "nahi hai|nahi raha|nahi rahi|chhin gayi|band ho gaya|band ho gayi|khatam ho gaya|khatam ho gayi|se nikal)",
    "(berozgar|berojgar|bekaar baitha)",
    "(business|shop|company|factory|dukaan|office|firm) (has|had|is|got|was)? (shut|closed|collapsed|failed|gone bust|"
    "shut down|wound up|band ho gaya|band ho gayi|doob gaya|dub gaya|bandh)",
    # illness / hospital / accident
    # Being *at* a hospital (a check-up, a visit) is not distress; being *in* one is.
    f"({_KIN}|i|he|she|we|my) ~ (is|am|are|was|were|has been|have been|got|been)? (in|admitted to|admitted in|"
    "admitted) (the|a)? (hospital|icu|emergency|intensive care|ward)",
    "(admitted to|admitted in|in the icu|in icu|on a ventilator|on ventilator|in intensive care)",
    "(met with|had|in|injured in) (an|a)? (accident|road accident|car accident|bike accident)",
    "(icu|ventilator|surgery|chemo*|dialysis|cancer|tumou?r|heart attack|stroke|paralysis|"
    "fracture|covid|dengue|tb|tuberculosis|kidney failure|transplant|critical condition|serious condition)",
    "(am|is|are|was|been|fell|feeling|got|became) (very|really|seriously|critically|terminally|badly|so)? (ill|sick(?! of)|unwell)",
    "(hospital|aspatal|aspataal|haspatal) (mein|me|mai|mei) (hai|hain|hoon|hun|admit|bharti|bhartee)",
    "(i am|im|i have been|ive been|i was|been|feeling|he is|she is|hes|shes) (really|very|so)? not (well|keeping well|"
    "feeling well|in good health|doing well)",
    # Speech folds "is not" into "isnt", so the split phrase above misses it.
    "(he isnt|she isnt|i wasnt|he wasnt|she wasnt) (really|very|so)? (well|keeping well|feeling well|"
    "in good health|doing well)",
    "(not|no) (feeling|keeping) (well|good)",
    "(just)? (discharged|back from the hospital|come back from (the)? hospital|out of (the)? hospital)",
    "(bimaar|bimar|beemar|beemaar|bemar) (hai|hain|hoon|hun|hoo|ho gaye|ho gayi|pade|padi|hu)",
    "(tabiyat|tabiyet|tabeeyat|sehat) (kharab|theek nahi|bigad|bigdi|bahut kharab)",
    "(operation|ilaaj|ilaj|dawai|dawa|treatment) (chal raha|hua|hona|karwana|ke liye|mein)",
    # bereavement
    "(passed away|passed on|died|has died|death in|funeral|cremation|last rites|demise|no more with us|lost my (" + _KIN + "))",
    f"({_KIN}) (has|have|had|just)? (passed|expired|died|is no more|are no more)",
    "(guzar gaye|guzar gayi|guzar gaya|mar gaye|mar gayi|mar gaya|nahi rahe|nahi rahi|dehant|dehaant|maut|"
    "swargwas|swargvas|antim sanskar|shok|intekaal)",
    # mental health / crisis
    "(going through|dealing with|facing|in the middle of) (a|some|my)? (divorce|separation|loss|bereavement|crisis|"
    "illness|death|breakup|tough time|difficult time|hard time|lot)",
    "(divorce|bereavement|widowed|orphaned|miscarriage)",
    f"({_KIN}) (ka|ki|ke|is having|has|had|needs|is undergoing|undergoing) ~ (operation|surgery|treatment|chemo*|"
    "dialysis|accident|delivery|transplant)",
    "(accident|haadsa|hadsa|durghatna) (ho gaya|hua|ho gayi|hui|mein)",
    "(death|maut|mrityu|demise|funeral)",
    "(senior citizen|pensioner|widow|widower|disabled|handicapped|bedridden|blind|wheelchair|"
    "physically challenged|specially abled|divyang|viklang)",
    "(depressed|depression|anxiety attack|panic attack|suicid*|kill myself|end my life|end it all|no reason to live|"
    "want to die|cant cope|cannot cope|cant go on|breaking down|nervous breakdown|hopeless|helpless|desperate|"
    "cant take (it|this) anymore|at my wits end|no way out)",
    "(mar jaunga|mar jaungi|marna chahta|marna chahti|jaan de dunga|jaan de dungi|khudkushi|aatmahatya|atmahatya)",
    "(ghar|family|parivar|gharwale|gharwalon) (mein|me|mai|par|pe|ko) (bahut|badi|kaafi)? (problem|pareshani|"
    "dikkat|takleef|tension|mushkil|museebat|musibat|dukh|sankat)",
    "(bahut|badi|kaafi|bohot) (pareshani|museebat|musibat|mushkil|takleef|dukh|sankat|tension) (mein|me|hai|hoon|chal)",
    "(domestic violence|abuse|abused|beaten|violence at home)",
    "(house|home|shop|everything) ~ (burned|burnt|caught fire|flooded|washed away|robbed|destroyed|collapsed)",
    "(flood|floods|earthquake|cyclone|baadh|bhukamp) (mein|me|hit|destroyed|took)",
]

WEAK = [
    "(cant|cannot|can not|not able to|unable to) (think|focus|deal with|handle|concentrate) (about|on|with)? "
    "(this|it|anything|that)? (now|right now|today|at the moment)?",
    "(medical|family|personal) (emergency|problem|problems|crisis|issue|issues|situation)",
    "emergency",
    "(deaf|pregnant|single mother|living alone|all alone|no one to help|nobody to help|no one else|old age|very old|"
    "elderly|(live|living|stay|staying|i am) (all)? alone|akela|akeli|budhapa|boodha|budhi)",
    "(crying|in tears|ro raha|ro rahi|rona aa raha)",
    "(stressed|stress|tension|pareshani|takleef|dukhi|udaas|udas) (hai|hoon|hun|mein|me|bahut|a lot|so much)?",
    "(bad|tough|difficult|hard|terrible|very bad|very difficult|really bad|rough) (time|times|phase|situation|"
    "period|patch|condition) (right now|at home|in (my|the) family)?",
    "(hospital|doctor|medicine|medicines|treatment|aspatal|dawai)",
]
