"""The ledger's vocabularies as Django choices, built from pbx's contract (pbx.api.vocabulary)."""

from contactcenter.core.choices import text_choices
from pbx.api import CallOutcome, Direction, LegKind, Speaker, SupervisorAction, TransferResult

DirectionChoices = text_choices(Direction)
OutcomeChoices = text_choices(CallOutcome)
LegKindChoices = text_choices(LegKind)
SpeakerChoices = text_choices(Speaker)
TransferResultChoices = text_choices(TransferResult)
SupervisorActionChoices = text_choices(SupervisorAction)
