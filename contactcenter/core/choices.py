"""Django choices made from pbx.api's vocabularies, so the management plane keeps no copy of a word."""

from enum import StrEnum
from typing import get_args

from django.db import models


def text_choices(vocabulary: type[StrEnum]) -> type[models.TextChoices]:
    """Django choices with the enum's names and values (labels as Django makes them: "No Answer")."""
    return models.TextChoices(vocabulary.__name__, [(word.name, word.value) for word in vocabulary])


def literal_choices(vocabulary: object) -> list[tuple[str, str]]:
    """Django choices from one of pbx.api's ``Literal`` vocabularies (``QueueStrategy``...)."""
    return [(word, word) for word in get_args(vocabulary)]
