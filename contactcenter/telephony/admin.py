"""Admin: trunks (the password as a password input), business hours with windows and holidays,
inbound routes."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from contactcenter.telephony.models import BusinessHours, Holiday, InboundRoute, OpeningWindow, Trunk


class TrunkForm(forms.ModelForm):
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True),
                               help_text="For outbound authentication; stored, as Asterisk needs it.")  # fmt: skip

    class Meta:
        model = Trunk
        fields = "__all__"


@admin.register(Trunk)
class TrunkAdmin(admin.ModelAdmin):
    form = TrunkForm
    list_display = ("name", "host", "port", "transport", "registers", "max_channels")


class OpeningWindowInline(admin.TabularInline):
    model = OpeningWindow
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone")
    inlines = [OpeningWindowInline, HolidayInline]


@admin.register(InboundRoute)
class InboundRouteAdmin(admin.ModelAdmin):
    list_display = ("did", "target", "campaign", "queue", "hours", "after_hours", "enabled")
    list_filter = ("target", "enabled")
