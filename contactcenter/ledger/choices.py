"""The ledger's vocabularies for display.

A copy of ``pbx.ledger.enums`` because the management plane does not import pbx's
internals; tests/ledger keeps the two equal.
"""

from django.db import models


class Direction(models.TextChoices):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CHANGED = "changed"
    CALLBACK = "callback"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    WRONG_NUMBER = "wrong_number"
    ESCALATED = "escalated"
    ABANDONED = "abandoned"
    VOICEMAIL = "voicemail"
    DO_NOT_CALL = "do_not_call"
    HUNG_UP = "hung_up"
    OPT_OUT = "opt_out"
    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    VERIFIED = "verified"
    NO_RESPONSE = "no_response"
    INVALID_NUMBER = "invalid_number"
    REJECTED_BY_NETWORK = "rejected_by_network"


class LegKind(models.TextChoices):
    CUSTOMER = "customer"
    MEDIA = "media"
    AGENT = "agent"
    SNOOP = "snoop"


class Speaker(models.TextChoices):
    BOT = "bot"
    CUSTOMER = "customer"
    AGENT = "agent"


class TransferResult(models.TextChoices):
    ANSWERED = "answered"
    TIMEOUT = "timeout"
    ABANDONED = "abandoned"
    FAILED = "failed"
