"""What the bot says outside any flow: while handing over, and when nobody could take the call."""

from asterisk_config.music import Opening

BRIDGING_PHRASE = "One moment please, I'm connecting you to a colleague who can help."
# Heard when the caller's speech could not be recognised in time (speech workers down or late),
# as the call joins the queue: never silence, and never a bot answering words it did not hear.
CANNOT_HEAR_PHRASE = "I'm sorry, I can't hear you well; let me get a colleague."
# The lines Asterisk says for the bot as a caller joins a queue (the twin music classes' announcements).
OPENING_PHRASES = {Opening.BRIDGE: BRIDGING_PHRASE, Opening.UNHEARD: CANNOT_HEAR_PHRASE}
NO_AGENT_PHRASE = (
    "I'm sorry, all of our colleagues are busy right now. "
    "We will call you back as soon as someone is free. Thank you, goodbye."
)
# What the agent hears before the caller is connected: 2-3 seconds, reason first.
REASON_WORDS = {
    "anger": "Angry caller",
    "human_request": "Asked for a person",
    "negotiation": "Wants to negotiate payment",
    "ambiguity": "Unclear answer",
    "high_value_change": "Change to a high-value order",
    "legal_threat": "Legal threat",
    "distress": "Distressed caller",
    "dispute_fraud": "Disputes the order",
    "repeated_failure": "Bot could not understand",
    "language_mismatch": "Needs another language",
    "vip_complaint": "Premium customer complaint",
    "monitor_blind": "Bot could not hear the caller",
    "media_unavailable": "Bot could not speak",
}


def whisper_text(reason: str, lead: dict[str, str]) -> str:
    what = REASON_WORDS.get(reason, reason.replace("_", " ").capitalize())
    who = lead.get("first_name") or lead.get("name") or ""
    order = f", order {lead['order_id']}" if lead.get("order_id") else ""
    return f"{what}. {who}{order}." if who or order else f"{what}."
