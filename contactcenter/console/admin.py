from django.contrib import admin

from contactcenter.console.models import AgentProfile, ConsoleCall


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "agent")
    autocomplete_fields = ()


@admin.register(ConsoleCall)
class ConsoleCallAdmin(admin.ModelAdmin):
    list_display = ("offered_at", "agent", "call_id", "queue", "reason", "status", "disposition")
    list_filter = ("status", "queue", "reason")
    search_fields = ("call_id", "sip_call_id", "agent__name")
    readonly_fields = [f.name for f in ConsoleCall._meta.fields]

    def has_add_permission(self, request) -> bool:  # recorded by the console only (all fields read-only)
        return False
