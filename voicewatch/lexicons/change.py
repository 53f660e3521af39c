"""Requests to change an order (model, size, add-ons, date, address) and to cancel or return it."""

_OBJ = (
    "model|colour|color|size|variant|version|item|product|order|quantity|address|delivery|date|slot|time|plan|"
    "tenure|specification|specs|spec|storage|brand|design|capacity|configuration|payment mode|payment method|"
    "mode|location|pincode|it|this|that|one"
)

CHANGE = [
    "(change|changing|modify|modifying|alter|altering|amend|amending)",
    f"(update|updating|switch|switching|swap|swapping|replace|replacing|exchange|exchanging) ~ ({_OBJ})",
    "(upgrade|upgrading|downgrade|downgrading)",
    "(bigger|larger|smaller|higher|better|cheaper|different|another|other|newer|latest|upgraded|premium|pro|plus|"
    "max|next) (one|model|version|variant|size|colour|color|capacity|storage|item|product|piece)",
    "(add|adding|include|including|remove|removing|drop|take off|throw in) (the|an|a|some|extra|extended)? ~ "
    "(insurance|warranty|extended warranty|protection|protection plan|accessory|accessories|installation|"
    "gift wrap|gift wrapping|item|items|quantity|one more|service plan|amc|screen guard|unit|units|piece|pieces)",
    "(increase|decrease|reduce|change|double|badha|badhao|badhana|kam karo|kam kar do) (the)? (quantity|qty|units|"
    "number of (units|pieces|items))",
    "(quantity|qty) (badha|badhao|kam|kar|do|teen|char|2|3|4|change|increase)",
    "(reschedule|postpone|prepone|push|move|shift|delay|defer) (the|my|this)? (delivery|date|slot|order|"
    "installation|shipment|dispatch)",
    "(different|new|another|other|alternate|alternative) (address|location|date|slot|delivery address|delivery date)",
    "(deliver|send|ship|bring|drop) (it)? (to|at) (my)? (office|another|different|new|other|friend|friends|"
    "parents|work|workplace|relatives|sisters|brothers)",
    "(not|instead of) (this|the) (one|model|colour|color|size)",
    "instead of",
    "(get|have|want|make|need|take) (it|this|that|one|the same|them)? (in|as|with) ~ instead",
    "(one|model|version|variant|colour|color|size|piece|unit|gb|tb) instead",
    "(make|want|need|send|give me) (it|this|that)? (the|a|an)? ~ (variant|version|model|size|colour|color) instead",
    "(add|one more|two more|another|extra) (unit|units|piece|pieces|item|items|quantity|qty)",
    # Hinglish
    "(badal|badalna|badalni|badalne|badlo|badal do|badal dijiye|badalwana|badalwa|badli|badle|change karna|"
    "change kar do|change karo|change kijiye|change karwana|change kar dijiye)",
    "(bada|badi|bade|chhota|chhoti|chhote|dusra|doosra|dusri|doosri|naya|nayi|naye|upar wala|better|mehenga|sasta) "
    "(wala|model|size|colour|rang|version|piece|phone|saaman)",
    "(insurance|warranty|accessory|installation|cover|amc) (bhi)? (add|jodo|jod do|daal do|dal do|lagao|laga do|"
    "chahiye|karo|kar do|dijiye)",
    "(add|jod|daal|dal) (karo|kar do|kijiye|kar dijiye|dena|dijiye)",
    "(date|tareekh|din|samay|time|slot) (badal|change|aage|peeche|shift|doosra|dusra|alag)",
    "(address|pata|location) (badal|change|naya|alag|dusra|doosra|update)",
    "(dusre|doosre|dusri|doosri|naye|nayi|alag|kisi aur|another|different) (address|jagah|ghar|pate|location|shehar) "
    "(pe|par|mein|me|on|to)? (bhej|deliver|bhejo|bhejiye|bhej do|de do|dena|kar do)",
    "(बदल|बदलना)",
]

# Cancelling or returning is weaker evidence on its own: "cancel the duplicate I placed
# by mistake" is routine even on an expensive order, so it only escalates together
# with other evidence (or with a higher policy weight for high_value_change).
CANCEL = [
    "(cancel|cancell*|call off) (the|this|my|that)? (order|it|purchase|booking|delivery|item)?",
    "(return|returning) (the|this|my)? (order|item|product|it|phone|piece)",
    "(refund) (the|this|my|it)? (order|amount|money|it|payment)",
    "(want|need|get|give me|process) (a|my|the)? refund",
    "(cancel|radd|rad|cancle) (karo|kar do|kijiye|kar dijiye|karna|karwana|karwa do|hai|chahiye)",
    "(return|wapas|vapas) (karna|kar do|karo|lena|le lo|le jao|bhejna)",
    "(कैंसल|रद्द)",
]
