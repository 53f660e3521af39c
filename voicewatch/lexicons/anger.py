"""Frustration and hostility phrases (beyond word-level sentiment)."""

STRONG = [
    "(stop|quit|enough of) (calling|bothering|disturbing|harassing|pestering|troubling|irritating|spamming|"
    "wasting|this|it|the calls|these calls)",
    "wast* (my|our|your|so much)? time",
    "(how many|so many) (times|calls|more times)",
    "(are|r) you (kidding|joking|serious|mad|crazy|deaf|stupid|an idiot|insane|out of your mind|nuts|"
    "even listening|listening|dumb)",
    "(you)? (must|have to|gotta|got to) be (kidding|joking)",
    "(what|wtf) the (hell|heck|fuck|f)",
    "(fed up|sick of|sick and tired|tired of|had enough|enough is enough|had it)",
    "(this|that|it|you|your service|your company|your bank) (is|are|sounds)? (ridiculous|absurd|nonsense|rubbish|a joke|"
    "insane|crazy|pathetic|useless|outrageous|unacceptable|bullshit|bs|disgusting|shameful|a scam|a disgrace|"
    "a nightmare|the worst|terrible|horrible)",
    "(pathetic|idiot|idiots|idiotic|stupid|nonsense|rubbish|bloody|damn|dammit|shut up|shit|crap|bullshit|"
    "hell|moron|morons|useless|incompetent|clueless|disgusting|outrageous|ridiculous|nuisance)",
    "(you guys|you people|you lot|your people|your team|your company|your bank|your service|you all|aap log|tum log) "
    "(are|is)? (such)? (a joke|useless|pathetic|idiots|clowns|hopeless|the worst|crooks|thieves|liars|frauds|"
    "a nuisance|nuts|crazy|mad)",
    "(knock it off|cut it out|give me a break|get lost|go to hell|piss off|back off|get off my back)",
    "(hang up|hanging up|block (this|your) number|blocking (you|your number)|unsubscribe)",
    "(dont|do not|never) (ever)? (call|phone|contact|bother|disturb) (me|us|this number) (again|anymore|ever)",
    "leave me alone",
    "(i am|im|i am getting|im getting|getting) (very|so|really|extremely)? (angry|furious|livid|pissed|mad|"
    "annoyed|irritated|frustrated|upset|agitated|fuming)",
    "(worst|horrible|terrible|disgusting|useless|pathetic|rubbish|lousy) (service|company|experience|bank|app|"
    "people|call|calls|system|bot|robot|support)",
    "(listen to me|you are not listening|youre not listening|nobody listens|no one listens)",
    # Hinglish / romanised Hindi
    "(dimaag|bheja) (kharab|khaa|kha|mat kha|chaat|fry|garam|ka dahi)",
    "(band|bas|bus) (karo|kar do|kijiye|karo yeh|karo ye|kar|karein)",
    "(kitni|kitne|kai) (baar|bar|dafa|martaba|times|calls|call)",
    "(pagal|bewakoof|bevkoof|bewkoof|gadha|gadhe|ullu|kamina|kamine|bakwas|bekaar|faltu|ghatiya|chutiya|"
    "nikamma|nikamme|besharam|badtameez|bakwaas|harami|jahil|jaahil)",
    "(pareshan|tang|preshan|irritate|harass) (mat|kar|karna|kar diya|kar rakha|aa gaya|aa gayi|ho gaya|ho gayi|"
    "karte|karke)",
    "(gussa|naraz|naraaz|krodh) (aa raha|aa rha|aata|hoon|hun|hu|hai|mat dilao|dila)",
    "(phone|call) (mat|band) (karo|karna|kijiye|kar do)",
    "(mat|na) (karo|karna) (phone|call)",
    "(had|hadd) (ho gayi|hai|kar di|ho gai|paar)",
    "(suna|sunte|sunai) (nahi|nhi) (kya|kyu|tumhe|aapko)",
    "(samajh|samjh) (nahi|nhi) (aata|aati) (kya|tumhe|aapko|tumko)",
    "kya (bakwas|tamasha|mazak|majak|drama|nautanki|faltu)",
    "(mazak|majak|mazaak|tamasha) (hai|bana|chal raha|samjha)",
    "(chup|chupp) (karo|raho|kar|ho ja)",
    "(loot|lootna|loot rahe|lutere|chor) (ho|hai|rahe)",
    "(sharam|sharm) (nahi|karo|aani chahiye)",
    "(बकवास|बेकार|घटिया|पागल|गुस्सा|परेशान|बंद करो|बस करो|कितनी बार)",
]

WEAK = [
    "already (told|said|explained|answered|mentioned)",
    "(i|ive|i have) (told|said|explained) (you|this|it|that) (already|before|twice|many times|again)",
    "(pehle|pahle) (hi)? (bataya|bola|kaha|bata diya|bol diya)",
    "bataya (na|tha|to|toh|hai)",
    "(why|kyu) (are you|do you|you keep|keep|baar baar|bar bar|roz) (calling|call|phone)",
    "(every|har|roz) (day|din|roz) (call|phone|calling)",
    "(seriously|come on|oh come on|unbelievable|really now)",
    "(jaldi|quickly|hurry) (karo|up|kijiye)",
    "(yaar|arre yaar|uff|ugh|argh)",
]
