"""API shapes of trunks, business hours and inbound routes; values checked by the models' ``clean``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers

from contactcenter.campaigns.api.serializers import _CleanedModelSerializer
from contactcenter.campaigns.models import Campaign
from contactcenter.people.models import HumanQueue
from contactcenter.telephony.models import BusinessHours, Holiday, InboundRoute, OpeningWindow, Trunk


class TrunkSerializer(_CleanedModelSerializer):
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=128,
                                     style={"input_type": "password"})  # fmt: skip
    destination_patterns = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Trunk
        fields = ["id", "name", "host", "port", "transport", "username", "password", "registers", "caller_id",
                  "destination_patterns", "max_channels", "agents_may_dial"]  # fmt: skip


class OpeningWindowEntry(serializers.ModelSerializer):
    class Meta:
        model = OpeningWindow
        fields = ["weekday", "opens", "closes"]


class HolidayEntry(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name"]


class BusinessHoursSerializer(_CleanedModelSerializer):
    """Hours with their windows and holidays; a write replaces the lists it names."""

    windows = OpeningWindowEntry(many=True, required=False)
    holidays = HolidayEntry(many=True, required=False)

    class Meta:
        model = BusinessHours
        fields = ["id", "name", "timezone", "windows", "holidays"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        lists = {name: attrs.pop(name) for name in ("windows", "holidays") if name in attrs}
        attrs = super().validate(attrs)
        for index, window in enumerate(lists.get("windows", [])):
            try:
                OpeningWindow(**window).clean()
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"windows": f"window {index + 1}: {' '.join(exc.messages)}"}) from None
        dates = [h["date"] for h in lists.get("holidays", [])]
        if len(set(dates)) != len(dates):
            raise serializers.ValidationError({"holidays": "a date is listed twice"})
        return {**attrs, **lists}

    def _save(self, hours: BusinessHours, lists: dict[str, list[dict[str, Any]]]) -> BusinessHours:
        with transaction.atomic():  # one transaction: pbx gets one new configuration
            hours.save()
            if "windows" in lists:
                hours.windows.all().delete()
                OpeningWindow.objects.bulk_create(OpeningWindow(hours=hours, **w) for w in lists["windows"])
            if "holidays" in lists:
                hours.holidays.all().delete()
                Holiday.objects.bulk_create(Holiday(hours=hours, **h) for h in lists["holidays"])
        # bulk_create sends no signal, and needs none: the hours' save above published after the
        # commit, and the snapshot is built then, with these windows and holidays.
        return hours

    def create(self, validated: dict[str, Any]) -> BusinessHours:
        lists = {name: validated.pop(name) for name in ("windows", "holidays") if name in validated}
        return self._save(BusinessHours(**validated), lists)

    def update(self, hours: BusinessHours, validated: dict[str, Any]) -> BusinessHours:
        lists = {name: validated.pop(name) for name in ("windows", "holidays") if name in validated}
        for name, value in validated.items():
            setattr(hours, name, value)
        return self._save(hours, lists)


class InboundRouteSerializer(_CleanedModelSerializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    queue = serializers.SlugRelatedField(slug_field="name", queryset=HumanQueue.objects.all(), required=False,
                                         allow_null=True)  # fmt: skip
    hours = serializers.SlugRelatedField(slug_field="name", queryset=BusinessHours.objects.all(), required=False,
                                         allow_null=True, help_text="Business hours by name; null: always open.")  # fmt: skip

    class Meta:
        model = InboundRoute
        fields = ["id", "did", "target", "campaign", "queue", "hours", "after_hours", "after_hours_sound", "enabled"]
