from django.contrib import admin

from contactcenter.supervisors.models import SupervisorProfile


@admin.register(SupervisorProfile)
class SupervisorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "phone", "supervisor_queue")
    search_fields = ("user__username", "phone__name")
