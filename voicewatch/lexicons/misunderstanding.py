"""The caller did not hear or understand the bot (a failed exchange, not a sentiment)."""

REPEAT_REQUEST = [
    "(pardon|huh|what what)",
    "(sorry|excuse me|eh|hello|haan) (what|say again|come again|sorry|pardon|kya)",
    "what (what|was that|did you say|do you mean|are you saying)",
    "come again",
    "(can|could|would|will) you (please)? (repeat|say (that|it) again|speak (up|louder|slowly|clearly)|say again)",
    "(please)? (repeat|say) (that|it|please|again|once more|one more time)",
    "(didnt|did not|couldnt|could not|cant|cannot|dont|do not) (hear|catch|understand|follow) "
    "(you|that|it|what|anything|a word|properly|clearly)?",
    "(didnt|did not|couldnt|could not|cant|cannot|dont|do not) get (you|that|it|what you|a word)",
    "(not|barely) (audible|hearing you|clear)",
    "(hello|helo) (hello|helo)",
    "(are|r) you (there|still there)",
    "(voice|sound|line|network|connection|call|audio|signal) (is|was)? (breaking|not clear|unclear|bad|poor|cutting|"
    "very low|too low|muffled|dropping|weak)",
    "(voice|sound|line|network|connection|call|audio|signal) (isnt|wasnt) clear",  # speech folds "is not"
    "(breaking up|cutting out|you are breaking)",
    "(speak|talk) (louder|slowly|clearly|up)",
    # Hinglish / romanised Hindi
    "(kya|kia) (bola|kaha|bole|boli|bolo|kahaa|keh rahe|bol rahe|bol rahi|kaha aapne|bola aapne)",
    "(phir|fir|firse|phirse|dobara|dubara|ek baar aur|ek aur baar|ek baar phir) (se)? (bolo|boliye|bataiye|batao|kahiye|"
    "kaho|sunao|suniye)",
    "(sunai|sunayi) (nahi|nhi) (diya|de raha|de rahi|aaya|aa raha|de rahe)",
    "(awaz|aawaz|awaaz|aavaz|voice) (nahi|nhi|saaf nahi|kat|toot|tut|nahi aa rahi|clear nahi|kam)",
    "(samajh|samjh|samaj) (nahi|nhi|mein nahi|me nahi|nai) (aaya|aa raha|aayi|aa rahi|aata)",
    "(nahi|nhi) (samjha|samjhi|samjhe|samajh paya|samajh payi|samjh)",
    "(samjha|samjhi|samjhe) (nahi|nhi)",
    "(network|line|signal) (problem|issue|kharab|nahi)",
    "(क्या बोला|क्या कहा|सुनाई नहीं|समझ नहीं|फिर से)",
]

# Noises that carry no answer; with low recognition confidence they mark a failed turn.
NON_ANSWER = ["h+m+", "m+h*m+", "u+m+", "u+h+", "e+r+m*", "what", "kya", "huh", "hello"]
