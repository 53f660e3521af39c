"""Languages a caller may ask for, and the cues that they cannot follow the call's language."""

# Spoken/romanised names -> ISO 639 code. Policies list served languages by code.
LANGUAGE_NAMES: dict[str, str] = {
    "english": "en", "angrezi": "en", "angreji": "en", "inglish": "en",
    "hindi": "hi", "hindustani": "hi", "hinglish": "hi",
    "kannada": "kn", "kanada": "kn", "kannad": "kn", "kannadadalli": "kn",
    "tamil": "ta", "thamizh": "ta", "tamizh": "ta", "tamilla": "ta", "tamilil": "ta",
    "telugu": "te", "telegu": "te", "telgu": "te", "telugulo": "te",
    "malayalam": "ml", "malayalathil": "ml",
    "marathi": "mr", "marathit": "mr",
    "gujarati": "gu", "gujrati": "gu", "gujarathi": "gu",
    "bengali": "bn", "bangla": "bn", "bangali": "bn",
    "punjabi": "pa", "panjabi": "pa",
    "odia": "or", "oriya": "or", "odiya": "or",
    "assamese": "as", "asamiya": "as",
    "urdu": "ur", "konkani": "kok", "kashmiri": "ks", "sindhi": "sd", "nepali": "ne",
    "bhojpuri": "bho", "maithili": "mai", "tulu": "tcy", "manipuri": "mni", "santali": "sat",
    "dogri": "doi", "rajasthani": "raj", "marwari": "mwr", "haryanvi": "bgc",
    "spanish": "es", "espanol": "es", "french": "fr", "arabic": "ar", "german": "de",
    "portuguese": "pt", "chinese": "zh", "mandarin": "zh", "cantonese": "yue", "japanese": "ja",
    "korean": "ko", "russian": "ru", "italian": "it", "tagalog": "tl", "vietnamese": "vi",
}

# Words that follow a language name without asking for it ("Tamil Nadu", "Bengali sweets").
NOT_A_REQUEST_AFTER = frozenset({"nadu", "sweets", "sweet", "food", "movie", "movies", "film", "films",
                                 "song", "songs", "new", "year", "actor", "actress", "cinema"})

# Asking for a language / saying the current one is not understood.
REQUEST_CUE = [
    "(speak|talk|say|explain|repeat|continue|call|converse|talking|speaking|someone who speaks|anyone who speaks)",
    "(in|mein|me|mai|madhe|mdhe|la|lo|il|ile|alli|ma|te|ey|e|bhasha|bhashe|bhasa|language|please|only|ki|ka)",
    "(bolo|bolna|boliye|baat|bataiye|samjhaiye|maatadi|matadi|pesunga|pesungo|matladandi|matladu|samsarikkamo|"
    "bolun|bolo na|kola|sanga)",
]

NOT_UNDERSTOOD = [
    "(dont|do not|didnt|cant|cannot|not able to|unable to|doesnt) (really)? (understand|speak|follow|read|know|get) "
    "~ (english|hindi|this language|your language|the language)",
    "(english|hindi|angrezi|angreji|inglish) (nahi|nhi|not|no) (aati|aata|samajh|samajhta|samajhti|samajh aati|"
    "understand|known|good|well)",
    "(no|not much|little|poor|weak|bad|broken|not good) (english|hindi|angrezi)",
    "(english|hindi) (is|isnt|not)? (not good|weak|poor|bad|not my language)",
    "(english|hindi) isnt (good|my language)",  # speech folds "is not" into "isnt"
    "(kisi aur|dusri|doosri|apni|meri|alag) (bhasha|language|zubaan|zuban)",
    "(my|another|other|different|local|mother|native|own|regional) (language|tongue)",
]

# Distinctive romanised phrases that already show the caller's language.
NATIVE_CUES: dict[str, str] = {
    "puriyala": "ta", "puriyavillai": "ta", "puriyalai": "ta", "theriyadhu": "ta", "theriyala": "ta",
    "pesunga": "ta", "pesungo": "ta",
    "gottilla": "kn", "gothilla": "kn", "artha aagalla": "kn", "arthavagalla": "kn", "maatadi": "kn",
    "ardham kaledu": "te", "ardham kavatledu": "te", "ardham kaale": "te", "teliyadu": "te",
    "teliyatledu": "te", "matladandi": "te",
    "manasilayilla": "ml", "manassilayilla": "ml", "samsarikkamo": "ml",
    "samajla nahi": "mr", "kalat nahi": "mr", "kalala nahi": "mr", "madhe bola": "mr", "marathit bola": "mr",
    "bujhte parchi na": "bn", "bujhchi na": "bn", "bujhi na": "bn", "bujhte parini": "bn",
    "samjatu nathi": "gu", "samjaatu nathi": "gu", "samaj nathi padti": "gu", "nathi samjatu": "gu",
    "enakku puriyala": "ta", "puriyavilla": "ta", "theriyathu": "ta", "enna solreenga": "ta", "pesa theriyadhu": "ta",
    "tamizhil pesungal": "ta", "tamilil pesunga": "ta",
    "ardham kaavadam ledu": "te", "naaku ardham": "te", "artham kaledu": "te", "arthamkaledu": "te",
    "emi cheptunnaru": "te", "telugu lo": "te",
    "nange artha": "kn", "artha agalla": "kn", "artha aagtilla": "kn", "gothagalla": "kn", "gottagalla": "kn",
    "enu helthidira": "kn", "kannada dalli": "kn",
    "enikku manassilaakunnilla": "ml", "manassilaakunnilla": "ml", "manasilakunnilla": "ml", "ariyilla": "ml",
    "malayalathil samsarikku": "ml", "mansilayilla": "ml",
    "mala samjat nahi": "mr", "samjat nahi": "mr", "kay mhanta": "mr", "kay mhanatay": "mr",
    "ami bujhi na": "bn", "bujhlam na": "bn", "ki bolchen": "bn", "bangla te": "bn", "bangla bolun": "bn",
    "mane samaj nathi": "gu", "shu kaho cho": "gu", "gujarati ma": "gu",
    "samajh nahi aaundi": "pa", "samajh ni aaundi": "pa", "punjabi vich": "pa", "ki keha": "pa",
    "bujhi paruni": "or", "odia re": "or", "kana kahuchanti": "or",
}

# Unicode blocks of scripts that announce the language by themselves.
SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0980, 0x09FF, "bn"), (0x0A00, 0x0A7F, "pa"), (0x0A80, 0x0AFF, "gu"), (0x0B00, 0x0B7F, "or"),
    (0x0B80, 0x0BFF, "ta"), (0x0C00, 0x0C7F, "te"), (0x0C80, 0x0CFF, "kn"), (0x0D00, 0x0D7F, "ml"),
    (0x0600, 0x06FF, "ur"),
)

LANGUAGE_LABELS: dict[str, str] = {
    "en": "English", "hi": "Hindi", "kn": "Kannada", "ta": "Tamil", "te": "Telugu", "ml": "Malayalam",
    "mr": "Marathi", "gu": "Gujarati", "bn": "Bengali", "pa": "Punjabi", "or": "Odia", "as": "Assamese",
    "ur": "Urdu", "kok": "Konkani", "ks": "Kashmiri", "sd": "Sindhi", "ne": "Nepali", "bho": "Bhojpuri",
    "mai": "Maithili", "tcy": "Tulu", "mni": "Manipuri", "sat": "Santali", "doi": "Dogri",
    "raj": "Rajasthani", "mwr": "Marwari", "bgc": "Haryanvi", "es": "Spanish", "fr": "French",
    "ar": "Arabic", "de": "German", "pt": "Portuguese", "zh": "Chinese", "yue": "Cantonese",
    "ja": "Japanese", "ko": "Korean", "ru": "Russian", "it": "Italian", "tl": "Tagalog", "vi": "Vietnamese",
}
