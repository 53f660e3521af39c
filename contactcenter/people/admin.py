"""Admin: human queues (with their members), agents (with skills and SIP credentials), skills,
the pause reasons the console offers, and the do-not-call list."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from contactcenter.people import services
from contactcenter.people.models import (
    Agent,
    AgentSkill,
    DncSource,
    DoNotCall,
    HumanQueue,
    PauseReason,
    QueueMembership,
    Reservation,
    Skill,
)
from contactcenter.people.sip_credentials import sip_password
from pbx.api.telephony import SIP_REALM


@admin.register(DoNotCall)
class DoNotCallAdmin(admin.ModelAdmin):
    list_display = ("phone", "source", "reason", "campaign", "created_at")
    list_filter = ("source",)
    search_fields = ("phone",)

    def save_model(self, request: HttpRequest, obj: DoNotCall, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            entry, _ = services.do_add_dnc(obj.phone, DncSource.ADMIN, obj.reason, obj.campaign)
            obj.pk = entry.pk


class MembershipInline(admin.TabularInline):
    model = QueueMembership
    extra = 0


@admin.register(HumanQueue)
class HumanQueueAdmin(admin.ModelAdmin):
    list_display = ("name", "strategy", "ring_timeout_s", "max_wait_s", "wrap_up_s", "required_skill")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "description", "strategy", "required_skill")}),
        ("Timing", {"fields": ("ring_timeout_s", "max_wait_s", "wrap_up_s", "service_level_s")}),
        ("Overflow", {"fields": ("overflow_queue", "overflow_after_s")}),
        ("While waiting", {"fields": ("music_class", "announce_position", "announce_frequency_s")}),
    )

    def has_delete_permission(self, request: HttpRequest, obj: HumanQueue | None = None) -> bool:
        # The fail-safe queue (CC_FAILSAFE_QUEUE) is where calls go when nothing else can take them;
        # the delete action refuses a selection that holds it (as a permission it lacks).
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_failsafe)


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 0


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("name", "display_name", "transport", "state", "pause_reason", "state_changed_at")
    inlines = [MembershipInline, AgentSkillInline]
    fields = ("name", "display_name", "transport", "static_contact", "auto_answer", "sip_credentials", "state",
              "pause_reason", "state_changed_at")  # fmt: skip
    readonly_fields = ("sip_credentials", "state", "pause_reason", "state_changed_at")

    @admin.display(description="SIP credentials")
    def sip_credentials(self, agent: Agent) -> str:
        if agent.pk is None:
            return "shown once the agent is saved"
        return format_html("username <code>{}</code>, password <code>{}</code>, realm <code>{}</code> "
                           "(rotate with POST /api/agents/{}/credentials/rotate/)",
                           agent.name, sip_password(agent), SIP_REALM, agent.name)  # fmt: skip


admin.site.register(Skill, list_display=("name", "description"))


@admin.register(PauseReason)
class PauseReasonAdmin(admin.ModelAdmin):
    """The list an agent picks from when pausing. Deactivate a reason rather than delete it: agents
    paused with it keep it, and the console stops offering it."""

    list_display = ("label", "active", "order")
    list_editable = ("active", "order")
    list_filter = ("active",)


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Pre-alert's record: who was held for which call at risk, and why it ended. Written by the
    event consumer only (pbx holds the agent), so every field is read-only here."""

    list_display = ("agent", "call_id", "queue", "reason", "score", "reserved_at", "until", "ended_at", "end")
    list_filter = ("end", "queue")
    search_fields = ("call_id", "agent__name")
    readonly_fields = [f.name for f in Reservation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
