"""Read-only admin over the ledger: list and inspect calls, never edit (pbx is the writer)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from contactcenter.ledger.models import (
    Call,
    Decision,
    Event,
    Leg,
    Recording,
    SupervisorAction,
    Transfer,
    Utterance,
)


class ReadOnlyMixin:
    """View permission only: add/change/delete would write rows pbx owns."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class LegInline(ReadOnlyInline):
    model = Leg
    fields = ("channel_id", "kind", "endpoint", "started_at", "ended_at", "cause")


class UtteranceInline(ReadOnlyInline):
    model = Utterance
    fields = ("start_ms", "speaker", "text", "is_partial", "asr_confidence", "sentiment")


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("at", "turn_index", "escalate", "reason", "score", "queue", "on_partial")


class TransferInline(ReadOnlyInline):
    model = Transfer
    fields = ("queue", "reason", "requested_at", "queue_joined_at", "agent", "result", "decision_to_queue_ms")


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("seq", "type", "at", "payload")


class RecordingInline(ReadOnlyInline):
    model = Recording
    fields = ("name", "format", "path", "started_at", "duration_ms")


@admin.register(Call)
class CallAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "started_at",
        "direction",
        "campaign_id",
        "lead_id",
        "outcome",
        "escalated",
        "final_queue",
        "agent",
        "duration_s",
    )
    list_filter = ("direction", "outcome", "escalated", "provisional")
    search_fields = ("id", "caller_number", "called_number", "=lead_id", "=campaign_id")
    date_hierarchy = "started_at"
    show_full_result_count = False  # COUNT(*) over a big ledger on every page is not worth it
    inlines = (UtteranceInline, DecisionInline, TransferInline, LegInline, RecordingInline, EventInline)


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("call", "seq", "type", "at")
    list_filter = ("type",)
    search_fields = ("=call__id", "type")
    list_select_related = ("call",)
    show_full_result_count = False


@admin.register(Utterance)
class UtteranceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("call", "start_ms", "speaker", "text", "is_partial", "asr_confidence", "sentiment")
    list_filter = ("speaker", "is_partial")
    search_fields = ("=call__id", "text")
    list_select_related = ("call",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("call", "at", "turn_index", "escalate", "reason", "score", "queue", "policy_version")
    list_filter = ("escalate", "policy_version")
    search_fields = ("=call__id", "reason")
    list_select_related = ("call",)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "call",
        "queue",
        "requested_at",
        "queue_joined_at",
        "agent_connected_at",
        "agent",
        "result",
        "decision_to_queue_ms",
    )
    list_filter = ("queue", "result")
    search_fields = ("=call__id", "agent")
    list_select_related = ("call",)


@admin.register(Leg)
class LegAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("channel_id", "call", "kind", "endpoint", "started_at", "ended_at", "cause")
    list_filter = ("kind",)
    search_fields = ("=channel_id", "=call__id", "endpoint")
    list_select_related = ("call",)


@admin.register(Recording)
class RecordingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "call", "format", "started_at", "duration_ms")
    search_fields = ("=name", "=call__id")
    list_select_related = ("call",)


@admin.register(SupervisorAction)
class SupervisorActionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every supervisor's action with who did it: listen, whisper, barge, stop, takeover, forced pause or log-out."""

    list_display = ("at", "supervisor", "action", "ok", "call_id", "agent", "phone", "detail")
    list_filter = ("action", "ok")
    search_fields = ("=supervisor", "=call_id", "=agent")
    date_hierarchy = "at"
    show_full_result_count = False
