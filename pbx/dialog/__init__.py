"""Bot dialog runtime: a campaign's conversation is data (:class:`Flow`), not code.

The call engine creates one :class:`DialogSession` per answered call, feeds it
utterances, keypresses, silences and barge-ins, and executes the actions it returns
(:class:`Say`, :class:`Listen`, :class:`CaptureSlot`, :class:`SetOutcome`,
:class:`Escalate`, :class:`Hangup`). Pure Python: no I/O, no clock, deterministic.
"""

from pbx.dialog.actions import Action, CaptureSlot, Escalate, Hangup, Listen, Say, SetOutcome
from pbx.dialog.errors import DialogError, MissingLeadFields, MissingTemplateField
from pbx.dialog.flow import End, Flow, Step, load_flow, load_flow_json
from pbx.dialog.intents import IntentClassifier, IntentResult, classify, classify_dtmf
from pbx.dialog.library import library_flow
from pbx.dialog.runtime import DialogSession, SessionState
from pbx.dialog.vocabulary import FLOW_ESCALATION_REASONS, FLOW_OUTCOMES, Intent

__all__ = [
    "FLOW_ESCALATION_REASONS", "FLOW_OUTCOMES", "Action", "CaptureSlot", "DialogError", "DialogSession", "End",
    "Escalate", "Flow", "Hangup", "Intent", "IntentClassifier", "IntentResult", "Listen", "MissingLeadFields",
    "MissingTemplateField", "Say", "SessionState", "SetOutcome", "Step", "classify", "classify_dtmf", "library_flow",
    "load_flow", "load_flow_json",
]  # fmt: skip
