"""Admin: human queues, agents and the do-not-call list."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from contactcenter.people import services
from contactcenter.people.models import Agent, DncSource, DoNotCall, HumanQueue


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


admin.site.register(HumanQueue, list_display=("name", "description"))
admin.site.register(Agent, list_display=("name", "display_name", "state", "state_changed_at"))
