"""The ledger's vocabularies as Django choices, built from pbx's contract (pbx.api.vocabulary)."""

from enum import StrEnum

from django.db import models

from pbx.api import CallOutcome, Direction, LegKind, Speaker, TransferResult


def text_choices(vocabulary: type[StrEnum]) -> type[models.TextChoices]:
    """Django choices with the enum's names and values (labels as Django makes them: "No Answer")."""
    return models.TextChoices(vocabulary.__name__, [(word.name, word.value) for word in vocabulary])


DirectionChoices = text_choices(Direction)
OutcomeChoices = text_choices(CallOutcome)
LegKindChoices = text_choices(LegKind)
SpeakerChoices = text_choices(Speaker)
TransferResultChoices = text_choices(TransferResult)
