"""Admin: campaigns (with lead upload, start/pause/stop, results CSV), leads, attempts."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from contactcenter.campaigns import imports, results, services
from contactcenter.campaigns.models import (
    CallAttempt,
    Campaign,
    ContactList,
    Disposition,
    ImportBatch,
    Lead,
    WebhookDelivery,
)


class LeadImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX; the first row names the columns.")
    list_name = forms.CharField(required=False, max_length=120, help_text="Contact list; default: the file name.")
    encoding = forms.CharField(required=False, max_length=40,
                               help_text="Only for a CSV that is not UTF-8 and whose encoding is not sure, e.g. cp1252.")
    mapping = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Optional JSON {"target field": "column"}, e.g. {"phone": "Mobile", "order_id": "Order No"}. '
                  "Without it, columns map by name (phone/mobile, first_name/name, time_zone, external_id; "
                  "others become lead fields such as order_id, item, amount, address, pincode).",
    )  # fmt: skip

    def clean_mapping(self) -> dict[str, str] | None:
        text = self.cleaned_data["mapping"].strip()
        if not text:
            return None
        try:
            mapping = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"not JSON: {exc.msg}") from None
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise forms.ValidationError("give an object of target field: column name")
        return mapping


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "dial_mode", "status", "max_concurrent_calls", "escalation_queue", "pacing_note")
    list_filter = ("status", "type", "dial_mode")
    search_fields = ("name",)
    filter_horizontal = ("overflow_queues",)
    readonly_fields = ("status", "pacing", "created_at", "updated_at")
    actions = ("start", "pause", "stop")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "type", "status", "flow", "flow_language", "policy")}),
        ("Dialling", {"fields": ("dial_mode", "max_concurrent_calls", "escalation_queue", "overflow_queues",
                                 "escalation_rate_prior", "max_abandon_rate", "safe_harbour_message", "caller_id",
                                 "trunk", "ring_timeout_s")}),
        ("Compliance", {"fields": ("calling_windows", "default_region", "default_time_zone", "max_attempts_total",
                                   "max_attempts_per_day", "min_gap_minutes", "retry_minutes")}),
        ("Answering machines", {"fields": ("amd_enabled", "amd_action", "voicemail_message")}),
        ("Results", {"fields": ("webhook_url", "webhook_secret", "pacing", "created_at", "updated_at")}),
    )  # fmt: skip

    @admin.display(description="pacing")
    def pacing_note(self, obj: Campaign) -> str:
        return obj.pacing.get("explanation", "") if obj.pacing else ""

    def get_urls(self):
        own = [
            path("<int:pk>/import/", self.admin_site.admin_view(self.import_view), name="campaigns_campaign_import"),
            path("<int:pk>/results.csv", self.admin_site.admin_view(self.results_view),
                 name="campaigns_campaign_results"),
        ]  # fmt: skip
        return own + super().get_urls()

    def import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_change_permission(request, campaign):
            return HttpResponse(status=403)
        form = LeadImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = imports.import_leads(campaign, upload.name, upload, form.cleaned_data["mapping"],
                                             form.cleaned_data["list_name"], request.user,
                                             encoding=form.cleaned_data["encoding"] or None)  # fmt: skip
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                level = messages.SUCCESS if not batch.problems else messages.WARNING
                self.message_user(request, f"Imported {batch.imported} of {batch.rows} rows ({batch.encoding}): "
                                           f"{batch.invalid} invalid, {batch.duplicates} duplicate, {batch.dnc} on "
                                           "the do-not-call list.", level)  # fmt: skip
                return HttpResponseRedirect(reverse("admin:campaigns_importbatch_change", args=[batch.pk]))
        context = {**self.admin_site.each_context(request), "title": f"Import leads into {campaign}", "form": form,
                   "campaign": campaign, "opts": self.model._meta}  # fmt: skip
        return render(request, "admin/campaigns/import.html", context)

    def results_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        response = HttpResponse(results.results_csv(campaign), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-results.csv"'
        return response

    def _transition(self, request: HttpRequest, queryset, verb: str) -> None:
        for campaign in queryset:
            try:
                services.do_change_campaign_status(campaign.pk, verb)
            except services.ActionError as exc:
                self.message_user(request, f"{campaign}: {exc}", messages.ERROR)

    @admin.action(description="Start the selected campaigns")
    def start(self, request: HttpRequest, queryset) -> None:
        self._transition(request, queryset, "start")

    @admin.action(description="Pause the selected campaigns")
    def pause(self, request: HttpRequest, queryset) -> None:
        self._transition(request, queryset, "pause")

    @admin.action(description="Stop the selected campaigns")
    def stop(self, request: HttpRequest, queryset) -> None:
        self._transition(request, queryset, "stop")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None):
        extra_context = {**(extra_context or {}),
                         "import_url": reverse("admin:campaigns_campaign_import", args=[object_id]),
                         "results_url": reverse("admin:campaigns_campaign_results", args=[object_id])}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("phone", "first_name", "campaign", "status", "outcome", "attempts", "next_attempt_at",
                    "not_before_reason")  # fmt: skip
    list_filter = ("campaign", "status", "outcome")
    search_fields = ("phone", "first_name", "external_id")
    readonly_fields = ("status", "outcome", "outcome_detail", "attempts", "last_attempt_at", "completed_at")


@admin.register(CallAttempt)
class CallAttemptAdmin(admin.ModelAdmin):
    list_display = ("call_id", "lead", "number", "status", "outcome", "escalation_reason", "agent", "created_at")
    list_filter = ("campaign", "status", "outcome")
    search_fields = ("call_id", "lead__phone")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        # Written by the dialer and pbx's events; only the disposition is a person's to set.
        return [f.name for f in CallAttempt._meta.fields if f.name not in ("disposition", "disposition_note")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("filename", "campaign", "rows", "imported", "invalid", "duplicates", "dnc", "created_at")
    readonly_fields = ("campaign", "contact_list", "filename", "encoding", "mapping", "rows", "imported", "invalid",
                       "duplicates", "dnc", "problems", "created_by", "created_at")  # fmt: skip

    def get_urls(self):
        return [path("<int:pk>/errors.csv", self.admin_site.admin_view(self.errors_view),
                     name="campaigns_importbatch_errors")] + super().get_urls()  # fmt: skip

    def errors_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(ImportBatch, pk=pk)
        response = HttpResponse(imports.error_report_csv(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None):
        extra_context = {**(extra_context or {}),
                         "errors_url": reverse("admin:campaigns_importbatch_errors", args=[object_id])}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.register(ContactList, list_display=("name", "campaign", "created_at"))
admin.site.register(Disposition, list_display=("code", "label", "final", "retry_after_minutes"))
@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_id", "campaign", "status", "tries", "last_status_code", "next_try_at")
    list_filter = ("status",)

    def has_add_permission(self, request) -> bool:
        return False  # the dialer makes deliveries when leads complete; none is added by hand
