"""REST API: thin views over ``services``, ``imports``, ``dialer`` and ``results``."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from contactcenter.campaigns import imports, results, services
from contactcenter.campaigns.api.serializers import (
    CallAttemptSerializer,
    CampaignSerializer,
    DispositionRequest,
    DoNotCallSerializer,
    ImportBatchSerializer,
    ImportRequest,
    LeadSerializer,
    PacingSerializer,
)
from contactcenter.campaigns.models import (
    CallAttempt,
    Campaign,
    ImportBatch,
    Lead,
    LeadStatus,
)
from contactcenter.campaigns.pacing import DialMode
from contactcenter.core.parsers import SafeJSONParser
from contactcenter.people import services as people_services
from contactcenter.people.doors import ByRole
from contactcenter.people.models import DncSource, DoNotCall
from contactcenter.people.policy import Action


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filtered(queryset: QuerySet, request: Request, ids: tuple[str, ...], words: tuple[str, ...]) -> QuerySet:
    """The list's ``?name=value`` filters; an id that is not one gets 400 naming the parameter."""
    bad = {}
    for name in ids:
        if value := request.query_params.get(name):
            if not (value.isdigit() and len(value) <= 18):  # a 64-bit key, without a float or a sign
                bad[name] = [f"give an id (a whole number), not {value[:40]!r}"]
            else:
                queryset = queryset.filter(**{name: int(value)})
    for name in words:
        if value := request.query_params.get(name):
            queryset = queryset.filter(**{name: value[:200]})
    if bad:
        raise ValidationError(bad)
    return queryset


class CampaignViewSet(viewsets.ModelViewSet):
    queryset = Campaign.objects.select_related("escalation_queue").prefetch_related("overflow_queues")
    serializer_class = CampaignSerializer
    permission_classes = [ByRole]
    # Reading and writing campaigns is configuration (ByRole); these are the floor's and the reports'.
    access = {"start": Action.RUN_CAMPAIGNS, "pause": Action.RUN_CAMPAIGNS, "results": Action.READ_LEADS,
              "results_csv": Action.READ_LEADS, "preview_next": Action.READ_LEADS}  # fmt: skip

    def _transition(self, pk: str, verb: str) -> Response:
        try:
            campaign = services.do_change_campaign_status(int(pk), verb)
        except services.ActionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(request=None, responses={200: CampaignSerializer, 409: OpenApiResponse(description="not allowed now")})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._transition(pk, "start")

    @extend_schema(request=None, responses={200: CampaignSerializer, 409: OpenApiResponse(description="not allowed now")})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        return self._transition(pk, "pause")

    @extend_schema(request=None, responses={200: CampaignSerializer, 409: OpenApiResponse(description="not allowed now")})
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: str) -> Response:
        return self._transition(pk, "stop")

    @extend_schema(responses=PacingSerializer, description="Status, the dialer's last pacing decision "
                   "(human_bound says when free agents, not AI lines, limit the pace) and counts.")
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str) -> Response:
        campaign = self.get_object()
        by_status = dict(Lead.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id")))
        by_outcome = dict(Lead.objects.filter(campaign=campaign).exclude(outcome="").values_list("outcome")
                          .annotate(n=Count("id")))  # fmt: skip
        return Response({"status": campaign.status, "pacing": campaign.pacing, "leads": by_status,
                         "outcomes": by_outcome})  # fmt: skip

    @extend_schema(responses={200: OpenApiResponse(description="per-lead results, a page at a time "
                                                               "(?page=, ?page_size=; count, next, previous, results)")},
                   parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)])  # fmt: skip
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        leads = self.paginate_queryset(results.result_leads(self.get_object()))
        return self.get_paginated_response(results.lead_results(leads))

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="one row per lead")})
    @action(detail=True, methods=["get"], url_path="export.csv")
    def results_csv(self, request: Request, pk: str) -> HttpResponse:
        campaign = self.get_object()
        return _csv(results.results_csv(campaign), f"campaign-{campaign.pk}-results.csv")

    @extend_schema(request={"multipart/form-data": ImportRequest},
                   responses={201: ImportBatchSerializer,
                              400: OpenApiResponse(description="the file as a whole is refused (a limit, its "
                                                               "encoding, its columns), in `file`"),
                              413: OpenApiResponse(description="the file is over LEAD_IMPORT_MAX_BYTES")},
                   description="Upload leads (CSV or XLSX). Rows that are not imported are listed in `problems` "
                               "(the first 1000 by row; the counts are of all) and in the batch's errors.csv. "
                               "Limits: docs/imports.md.")  # fmt: skip
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, SafeJSONParser])
    def imports(self, request: Request, pk: str) -> Response:
        campaign = self.get_object()
        form = ImportRequest(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        mapping = form.validated_data.get("mapping") or None
        if mapping is not None and not (isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values())):
            return Response({"mapping": ["give an object of target field: column name"]}, status=400)
        try:
            batch = imports.import_leads(campaign, upload.name, upload, mapping, form.validated_data.get("list_name", ""),
                                         request.user, encoding=form.validated_data.get("encoding") or None)  # fmt: skip
        except imports.UploadTooLarge as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        except imports.ImportFileError as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: LeadSerializer, 204: OpenApiResponse(description="no lead due")})
    @action(detail=True, methods=["get"], url_path="preview/next")
    def preview_next(self, request: Request, pk: str) -> Response:
        """Preview mode: the next due lead for an agent to look at before dialling it."""
        campaign = self.get_object()
        lead = (Lead.objects.filter(campaign=campaign, status=LeadStatus.PENDING, next_attempt_at__isnull=True).first()
                or Lead.objects.filter(campaign=campaign, status=LeadStatus.PENDING,
                                       next_attempt_at__lte=timezone.now()).order_by("next_attempt_at").first())  # fmt: skip
        if lead is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(LeadSerializer(lead).data)


class LeadViewSet(viewsets.ModelViewSet):
    serializer_class = LeadSerializer
    permission_classes = [ByRole]
    access = {"list": Action.READ_LEADS, "retrieve": Action.READ_LEADS, "dial": Action.RUN_CAMPAIGNS}

    def get_queryset(self):
        return _filtered(Lead.objects.all(), self.request, ids=("campaign",), words=("status", "outcome"))

    @extend_schema(request=None, responses={201: CallAttemptSerializer, 409: OpenApiResponse(description="not dialled")})
    @action(detail=True, methods=["post"])
    def dial(self, request: Request, pk: str) -> Response:
        """Preview mode's "call now": the same compliance checks as the dialer, then one call."""
        from contactcenter.campaigns.dialer import Dialer
        from contactcenter.campaigns.management.commands.dialer import redis_client
        from contactcenter.campaigns.pbx_link import RedisPbxLink

        lead = self.get_object()
        campaign = lead.campaign
        if campaign.dial_mode != DialMode.PREVIEW:
            return Response({"detail": "only preview campaigns are dialled by hand"}, status=409)
        if campaign.status != "running":
            return Response({"detail": f"campaign is {campaign.status}"}, status=409)
        attempt = Dialer(RedisPbxLink(redis_client())).dial_lead(campaign, lead.pk, timezone.now())
        if attempt is None:
            lead.refresh_from_db()
            return Response({"detail": f"not dialled: {lead.not_before_reason or lead.outcome or lead.status}"},
                            status=409)  # fmt: skip
        return Response(CallAttemptSerializer(attempt).data, status=201)


class CallAttemptViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CallAttemptSerializer
    permission_classes = [ByRole]
    access = {"list": Action.READ_LEADS, "retrieve": Action.READ_LEADS, "disposition": Action.RUN_CAMPAIGNS}

    def get_queryset(self):
        return _filtered(CallAttempt.objects.select_related("disposition"), self.request, ids=("campaign", "lead"),
                         words=("call_id", "status"))  # fmt: skip

    @extend_schema(request=DispositionRequest, responses={200: CallAttemptSerializer})
    @action(detail=True, methods=["post"])
    def disposition(self, request: Request, pk: str) -> Response:
        """The human agent's disposition of an (escalated) call."""
        form = DispositionRequest(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            attempt = services.do_set_disposition(int(pk), form.validated_data["code"],
                                                  form.validated_data.get("note", ""), request.user)  # fmt: skip
        except services.ActionError as exc:
            return Response({"detail": str(exc)}, status=409)
        return Response(CallAttemptSerializer(attempt).data)


class DoNotCallViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.DestroyModelMixin, viewsets.GenericViewSet):  # fmt: skip
    queryset = DoNotCall.objects.order_by("-id")
    serializer_class = DoNotCallSerializer
    permission_classes = [ByRole]  # reading it is configuration; adding and deleting are admins' (CONFIGURE)

    def perform_create(self, serializer: DoNotCallSerializer) -> None:
        entry, _ = people_services.do_add_dnc(serializer.validated_data["phone"], DncSource.API,
                                              serializer.validated_data.get("reason", ""))  # fmt: skip
        serializer.instance = entry


class ImportBatchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ImportBatch.objects.all()
    serializer_class = ImportBatchSerializer
    permission_classes = [ByRole]
    access = {"errors_csv": Action.READ_LEADS}  # the rejected rows, as uploaded

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="row, status, field, value, reason, "
                                                                              "then the row as uploaded")})
    @action(detail=True, methods=["get"], url_path="errors.csv")
    def errors_csv(self, request: Request, pk: str) -> HttpResponse:
        batch = self.get_object()
        return _csv(imports.error_report_csv(batch), f"import-{batch.pk}-errors.csv")
