"""API shapes. Validation lives in the models' ``clean`` (shared with the admin)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from contactcenter.campaigns import compliance, imports
from contactcenter.campaigns.models import (
    CallAttempt,
    Campaign,
    ImportBatch,
    Lead,
)
from contactcenter.people.models import DoNotCall, HumanQueue


class _CleanedModelSerializer(serializers.ModelSerializer):
    """Runs the model's ``full_clean`` so the API refuses what the admin refuses, field by field."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        values = {k: v for k, v in attrs.items() if k not in m2m}
        instance = self.instance or self.Meta.model()
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(validate_unique=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class CampaignSerializer(_CleanedModelSerializer):
    escalation_queue = serializers.SlugRelatedField(slug_field="name", queryset=HumanQueue.objects.all())
    overflow_queues = serializers.SlugRelatedField(slug_field="name", many=True, required=False,
                                                   queryset=HumanQueue.objects.all())  # fmt: skip
    webhook_secret = serializers.CharField(write_only=True, required=False, min_length=16)
    flow_name = serializers.CharField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "type", "flow", "flow_name", "flow_language", "policy", "escalation_queue", "overflow_queues",
            "dial_mode", "max_concurrent_calls", "calling_windows", "default_region", "default_time_zone",
            "max_attempts_total", "max_attempts_per_day", "min_gap_minutes", "retry_minutes", "caller_id", "trunk",
            "ring_timeout_s", "amd_enabled", "amd_action", "voicemail_message", "max_abandon_rate",
            "safe_harbour_message", "escalation_rate_prior", "webhook_url", "webhook_secret", "status", "pacing",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "pacing", "created_at", "updated_at"]
        extra_kwargs = {"voicemail_message": {"max_length": 1000}}  # spoken: a minute of speech is ~900 characters


class LeadSerializer(_CleanedModelSerializer):
    phone = serializers.CharField(max_length=40)
    time_zones = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=10,
                                       help_text="IANA zones; default: the number's")  # fmt: skip

    def validate_fields(self, value: object) -> dict:
        try:
            return imports.check_lead_fields(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    class Meta:
        model = Lead
        fields = ["id", "campaign", "contact_list", "phone", "time_zones", "first_name", "external_id", "fields",
                  "status", "outcome", "outcome_detail", "disposition", "attempts", "last_attempt_at",
                  "next_attempt_at", "not_before_reason", "completed_at", "created_at"]  # fmt: skip
        read_only_fields = ["contact_list", "status", "outcome", "outcome_detail", "disposition", "attempts",
                            "last_attempt_at", "next_attempt_at", "not_before_reason", "completed_at", "created_at"]  # fmt: skip

    def validate(self, attrs):
        campaign = attrs.get("campaign") or getattr(self.instance, "campaign", None)
        if "phone" in attrs:
            try:
                attrs["phone"] = compliance.normalise_phone(attrs["phone"], campaign.default_region if campaign else None)
            except compliance.PhoneError as exc:
                raise serializers.ValidationError({"phone": str(exc)}) from None
            if not attrs.get("time_zones"):
                zones = compliance.zones_for_number(attrs["phone"])
                attrs["time_zones"] = list(zones) or ([campaign.default_time_zone] if campaign else [])
        for zone in attrs.get("time_zones", []):
            try:
                compliance.check_time_zone(zone)
            except ValueError as exc:
                raise serializers.ValidationError({"time_zones": str(exc)}) from None
        phone = attrs.get("phone")
        if campaign and phone and Lead.objects.filter(campaign=campaign, phone=phone).exclude(
                pk=getattr(self.instance, "pk", None)).exists():  # fmt: skip
            raise serializers.ValidationError({"phone": "this campaign already has a lead with this number"})
        return super().validate(attrs)


class CallAttemptSerializer(serializers.ModelSerializer):
    disposition = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CallAttempt
        fields = ["id", "campaign", "lead", "number", "call_id", "dial_mode", "status", "created_at", "started_at",
                  "answered_at", "escalated_at", "escalation_queue", "escalation_reason", "agent_connected_at",
                  "agent", "abandoned", "ended_at", "outcome", "cause", "detail", "disposition", "disposition_note"]  # fmt: skip
        read_only_fields = fields


class DispositionRequest(serializers.Serializer):
    code = serializers.SlugField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class DoNotCallSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(max_length=40)

    class Meta:
        model = DoNotCall
        fields = ["id", "phone", "source", "reason", "campaign", "call_id", "created_at"]
        read_only_fields = ["source", "campaign", "call_id", "created_at"]

    def validate_phone(self, value: str) -> str:
        try:
            return compliance.normalise_phone(value)
        except compliance.PhoneError as exc:
            raise serializers.ValidationError(str(exc)) from None


class ImportRequest(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.JSONField(required=False, help_text='{"phone": "Mobile", "order_id": "Order"}')
    list_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    encoding = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                     help_text="The CSV's encoding (e.g. cp1252) when it is not UTF-8 and "
                                               "detection is not sure")  # fmt: skip


class ImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = ["id", "campaign", "contact_list", "filename", "encoding", "mapping", "rows", "imported", "duplicates",
                  "dnc", "invalid", "problems", "created_at"]  # fmt: skip
        read_only_fields = fields


class PacingSerializer(serializers.Serializer):
    status = serializers.CharField()
    pacing = serializers.JSONField()
    leads = serializers.DictField(child=serializers.IntegerField())
    outcomes = serializers.DictField(child=serializers.IntegerField())
