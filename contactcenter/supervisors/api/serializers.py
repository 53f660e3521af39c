"""What the supervisors' API takes and answers. Every refusal names its field."""

from __future__ import annotations

from rest_framework import serializers

from contactcenter.people.models import PauseReason
from contactcenter.supervisors.commands import TAKEOVER_TO
from pbx.api import SupervisionMode


class SuperviseRequest(serializers.Serializer):
    mode = serializers.ChoiceField(choices=[m.value for m in SupervisionMode],
                                   help_text="listen: hear both sides; whisper: only the agent hears you; "
                                             "barge: everyone hears you")  # fmt: skip


class TakeoverRequest(serializers.Serializer):
    to = serializers.ChoiceField(choices=list(TAKEOVER_TO), help_text="your phone, or your own queue")


class PauseRequest(serializers.Serializer):
    reason = serializers.CharField(
        max_length=60, help_text="one of the admin's active pause reasons (its label)"
    )

    def validate_reason(self, value: str) -> str:
        offered = list(PauseReason.objects.filter(active=True).values_list("label", flat=True))
        if value not in offered:
            if not offered:
                raise serializers.ValidationError("no pause reasons are set: an admin adds them "
                                                  "(Admin → People → Pause reasons)")  # fmt: skip
            raise serializers.ValidationError(f"not one of the pause reasons: {', '.join(offered)}")
        return value


class CommandAccepted(serializers.Serializer):
    """202: the command is on pbx's stream; pbx reports what it did (``supervisor.action``)."""

    command_id = serializers.CharField()
    type = serializers.CharField()
    call_id = serializers.CharField(required=False)
    agent = serializers.DictField(required=False, help_text="forced states: the agent as Django now has it")
