"""Ready-made flows, written as the JSON a campaign designer would store.

Each is plain JSON-compatible data validated by :func:`pbx.dialog.flow.load_flow`
against :data:`SAMPLE_LEAD`, so a prompt naming a field the dialer does not send
fails at import-time tests rather than mid-call.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pbx.dialog.flow import Flow, load_flow

# Every field the library's prompts use; lead values arrive already formatted for speech.
SAMPLE_LEAD: dict[str, str] = {
    "first_name": "Asha",
    "order_id": "A1234",
    "item": "a steel water bottle",
    "amount": "499",
    "currency": "rupees",
    "address": "12 MG Road, Indiranagar, Bengaluru",
    "pincode": "560038",
    "due_date": "the 5th of June",
}

_KEYPAD_YES_NO = {"1": "yes", "2": "no", "0": "human_request"}

ORDER_CONFIRMATION_EN: dict[str, Any] = {
    "name": "order_confirmation",
    "version": 1,
    "language": "en-IN",
    "greeting": "confirm_order",
    "dtmf": _KEYPAD_YES_NO,
    "anywhere": {
        "opt_out": {"outcome": "opt_out", "say": "Understood. We will not call you again. Goodbye."},
        "wrong_number": {"outcome": "wrong_number", "say": "Sorry to have disturbed you. Goodbye."},
        "human_request": {"escalate": "human_request", "say": "Sure, let me connect you to a colleague."},
        "callback_request": "ask_callback_time",
    },
    "steps": {
        "confirm_order": {
            "say": "Hello {first_name}, this is an automated call about your order {order_id}: {item} for "
                   "{amount} {currency}. Shall we go ahead and deliver it? Please say yes or no, "
                   "or press 1 for yes and 2 for no.",
            "expect": {
                "yes": "confirmed",
                "no": "cancel_or_change",
                "cancel_request": "rejected",
                "change_request": "ask_change",
            },
            "on_no_match": {"say": "Sorry, I did not get that. Is your order of {item} for {amount} {currency} "
                                   "correct? Please say yes or no."},
            "on_no_input": {"say": "Hello {first_name}, are you there? Please say yes to confirm your order, or no."},
        },
        "cancel_or_change": {
            "say": "Okay. Would you like to cancel the order, or change something, like the address or the "
                   "delivery date?",
            "expect": {"cancel_request": "rejected", "change_request": "ask_change"},
            "dtmf": {"1": "cancel_request", "2": "change_request"},
            "on_no_match": {"say": "Please say cancel to cancel the order, or change to change it. "
                                   "You can also press 1 to cancel or 2 to change."},
        },
        "ask_change": {
            "say": "Please tell me what you would like to change, for example a new address or a different "
                   "delivery date.",
            "capture": {"slot": "change_detail", "next": "changed"},
            "expect": {
                "cancel_request": "rejected",
                "human_request": {"escalate": "human_request", "say": "Sure, let me connect you to a colleague."},
            },
            "listen_timeout_s": 10,
        },
        "ask_callback_time": {
            "say": "No problem. When would be a good time to call you back?",
            "capture": {"slot": "callback_time", "next": "callback"},
            "on_no_input": {"reprompts": 1, "then": {"outcome": "callback", "say": "We will try again later. Goodbye."}},
        },
        "confirmed": {"end": {"outcome": "confirmed",
                              "say": "Thank you, {first_name}. Your order {order_id} is confirmed. Goodbye."}},
        "rejected": {"end": {"outcome": "rejected",
                             "say": "Okay, we will cancel order {order_id}. Thank you for letting us know. Goodbye."}},
        "changed": {"end": {"outcome": "changed", "detail": "{change_detail}",
                            "say": "Thank you. I have noted: {change_detail}. Our team will update order {order_id} "
                                   "and confirm by SMS. Goodbye."}},
        "callback": {"end": {"outcome": "callback", "detail": "{callback_time}",
                             "say": "Noted: {callback_time}. We will call you back then. Goodbye."}},
    },
}  # fmt: skip

ORDER_CONFIRMATION_HI: dict[str, Any] = {
    "name": "order_confirmation",
    "version": 1,
    "language": "hi-Latn",
    "greeting": "confirm_order",
    "dtmf": _KEYPAD_YES_NO,
    "anywhere": {
        "opt_out": {"outcome": "opt_out", "say": "Theek hai, hum aapko dobara call nahi karenge. Dhanyavaad."},
        "wrong_number": {"outcome": "wrong_number", "say": "Maaf kijiye, galti se call lag gaya. Dhanyavaad."},
        "human_request": {"escalate": "human_request", "say": "Zaroor, main aapko hamare colleague se jod rahi hoon."},
        "callback_request": "ask_callback_time",
    },
    "steps": {
        "confirm_order": {
            "say": "Namaste {first_name} ji, yeh aapke order {order_id} ke baare mein automated call hai: {item}, "
                   "{amount} {currency} ka. Kya hum ise deliver kar dein? Haan ya nahi boliye, ya haan ke liye "
                   "1 aur nahi ke liye 2 dabaiye.",
            "expect": {
                "yes": "confirmed",
                "no": "cancel_or_change",
                "cancel_request": "rejected",
                "change_request": "ask_change",
            },
            "on_no_match": {"say": "Maaf kijiye, samajh nahi aaya. Kya {item}, {amount} {currency} ka order sahi hai? "
                                   "Haan ya nahi boliye."},
            "on_no_input": {"say": "{first_name} ji, kya aap line par hain? Order confirm karne ke liye haan boliye, "
                                   "ya nahi."},
        },
        "cancel_or_change": {
            "say": "Theek hai. Kya aap order cancel karna chahte hain, ya kuch badalna chahte hain, jaise address "
                   "ya delivery ki tareekh?",
            "expect": {"cancel_request": "rejected", "change_request": "ask_change"},
            "dtmf": {"1": "cancel_request", "2": "change_request"},
            "on_no_match": {"say": "Order cancel karne ke liye cancel boliye, ya badalne ke liye change boliye. "
                                   "Aap 1 ya 2 bhi daba sakte hain."},
        },
        "ask_change": {
            "say": "Boliye, kya badalna hai? Jaise naya address ya delivery ki doosri tareekh.",
            "capture": {"slot": "change_detail", "next": "changed"},
            "expect": {
                "cancel_request": "rejected",
                "human_request": {"escalate": "human_request",
                                  "say": "Zaroor, main aapko hamare colleague se jod rahi hoon."},
            },
            "listen_timeout_s": 10,
        },
        "ask_callback_time": {
            "say": "Koi baat nahi. Aapko kab call karein?",
            "capture": {"slot": "callback_time", "next": "callback"},
            "on_no_input": {"reprompts": 1,
                            "then": {"outcome": "callback", "say": "Hum baad mein call karenge. Dhanyavaad."}},
        },
        "confirmed": {"end": {"outcome": "confirmed",
                              "say": "Dhanyavaad {first_name} ji. Aapka order {order_id} confirm ho gaya hai."}},
        "rejected": {"end": {"outcome": "rejected",
                             "say": "Theek hai, hum order {order_id} cancel kar denge. Batane ke liye dhanyavaad."}},
        "changed": {"end": {"outcome": "changed", "detail": "{change_detail}",
                            "say": "Dhanyavaad. Maine note kar liya hai: {change_detail}. Hamari team order "
                                   "{order_id} update karke SMS se batayegi."}},
        "callback": {"end": {"outcome": "callback", "detail": "{callback_time}",
                             "say": "Theek hai, hum aapko {callback_time} call karenge. Dhanyavaad."}},
    },
}  # fmt: skip

_NEGOTIATE = {"escalate": "negotiation",
              "say": "I understand. Let me connect you to a colleague who can discuss the options with you."}  # fmt: skip

PAYMENT_REMINDER_EN: dict[str, Any] = {
    "name": "payment_reminder",
    "version": 1,
    "language": "en-IN",
    "greeting": "remind",
    "dtmf": _KEYPAD_YES_NO,
    "anywhere": {
        "opt_out": {"outcome": "opt_out", "say": "Understood. We will not call you again about this. Goodbye."},
        "wrong_number": {"outcome": "wrong_number", "say": "Sorry to have disturbed you. Goodbye."},
        "human_request": {"escalate": "human_request", "say": "Sure, let me connect you to a colleague."},
        "negotiation": _NEGOTIATE,
        "already_paid": "already_paid",
        "callback_request": "ask_callback_time",
    },
    "steps": {
        "remind": {
            "say": "Hello {first_name}, this is a reminder that your payment of {amount} {currency} is due on "
                   "{due_date}. Will you be able to pay by {due_date}? Please say yes or no, or press 1 for yes "
                   "and 2 for no.",
            "expect": {"yes": "promise_to_pay", "no": "offer_plan"},
            "on_no_match": {"say": "Sorry, I did not get that. Can you pay {amount} {currency} by {due_date}? "
                                   "Please say yes or no."},
        },
        "offer_plan": {
            "say": "I understand. Would you like to speak to a colleague about paying in parts or on a later date?",
            "expect": {
                "yes": _NEGOTIATE,
                "no": {"outcome": "rejected",
                       "say": "Okay. Please pay {amount} {currency} by {due_date} to avoid late charges. Goodbye."},
            },
        },
        "ask_callback_time": {
            "say": "No problem. When would be a good time to call you back?",
            "capture": {"slot": "callback_time", "next": "callback"},
            "expect": {"negotiation": _NEGOTIATE},
            "on_no_input": {"reprompts": 1, "then": {"outcome": "callback", "say": "We will try again later. Goodbye."}},
        },
        "promise_to_pay": {"end": {"outcome": "promise_to_pay", "detail": "{due_date}",
                                   "say": "Thank you, {first_name}. We have noted that you will pay {amount} "
                                          "{currency} by {due_date}. Goodbye."}},
        "already_paid": {"end": {"outcome": "already_paid",
                                 "say": "Thank you. We will check our records; if your payment has reached us, "
                                        "there is nothing more to do. Goodbye."}},
        "callback": {"end": {"outcome": "callback", "detail": "{callback_time}",
                             "say": "Noted: {callback_time}. We will call you back then. Goodbye."}},
    },
}  # fmt: skip

ADDRESS_VERIFICATION_EN: dict[str, Any] = {
    "name": "address_verification",
    "version": 1,
    "language": "en-IN",
    "greeting": "verify",
    "dtmf": _KEYPAD_YES_NO,
    "anywhere": {
        "opt_out": {"outcome": "opt_out", "say": "Understood. We will not call you again. Goodbye."},
        "wrong_number": {"outcome": "wrong_number", "say": "Sorry to have disturbed you. Goodbye."},
        "human_request": {"escalate": "human_request", "say": "Sure, let me connect you to a colleague."},
        "callback_request": "ask_callback_time",
    },
    "steps": {
        "verify": {
            "say": "Hello {first_name}, we are verifying the delivery address for your order {order_id}. "
                   "Is your address {address}, pincode {pincode}, correct? Please say yes or no.",
            "expect": {"yes": "ask_landmark", "no": "ask_new_address", "change_request": "ask_new_address"},
            "on_no_match": {"say": "Sorry, I did not get that. Is the pincode {pincode} correct? "
                                   "Please say yes or no, or press 1 for yes and 2 for no."},
        },
        "ask_landmark": {
            "say": "Thank you. To help our delivery partner, please tell me a landmark near your address.",
            "capture": {"slot": "landmark", "next": "verified"},
            "expect": {"no": {"outcome": "verified", "say": "That is fine. Your address is verified. Goodbye."}},
            "on_no_input": {"reprompts": 1,
                            "then": {"outcome": "verified", "say": "Your address is verified. Goodbye."}},
        },
        "ask_new_address": {
            "say": "Please tell me the correct address, with the pincode.",
            "capture": {"slot": "new_address", "next": "confirm_new_address"},
            "listen_timeout_s": 12,
        },
        "confirm_new_address": {
            "say": "I heard: {new_address}. Is that correct?",
            "expect": {"yes": "changed", "no": "ask_new_address", "change_request": "ask_new_address"},
        },
        "ask_callback_time": {
            "say": "No problem. When would be a good time to call you back?",
            "capture": {"slot": "callback_time", "next": "callback"},
            "on_no_input": {"reprompts": 1, "then": {"outcome": "callback", "say": "We will try again later. Goodbye."}},
        },
        "verified": {"end": {"outcome": "verified", "detail": "landmark: {landmark}",
                             "say": "Thank you. Your address near {landmark} is verified. Goodbye."}},
        "changed": {"end": {"outcome": "changed", "detail": "{new_address}",
                            "say": "Thank you. We have updated the address for order {order_id}. Goodbye."}},
        "callback": {"end": {"outcome": "callback", "detail": "{callback_time}",
                             "say": "Noted: {callback_time}. We will call you back then. Goodbye."}},
    },
}  # fmt: skip

FLOW_DATA: tuple[dict[str, Any], ...] = (
    ORDER_CONFIRMATION_EN, ORDER_CONFIRMATION_HI, PAYMENT_REMINDER_EN, ADDRESS_VERIFICATION_EN,
)  # fmt: skip


def available() -> list[tuple[str, str]]:
    """(name, language) of every library flow."""
    return [(data["name"], data["language"]) for data in FLOW_DATA]


@cache
def library_flow(name: str, language: str = "en-IN") -> Flow:
    for data in FLOW_DATA:
        if data["name"] == name and data["language"] == language:
            return load_flow(data, sample_lead=SAMPLE_LEAD)
    raise KeyError(f"no library flow {name!r} in {language!r}; available: {available()}")
