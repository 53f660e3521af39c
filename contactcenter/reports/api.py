"""``GET /api/reports/?group=queue&from=YYYY-MM-DD&to=YYYY-MM-DD``: a report's rows as JSON, in
the API's pages (``count``/``next``/``previous``/``results``), with the range and its total."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.core.pagination import ApiPages
from contactcenter.people.doors import ByRole
from contactcenter.people.policy import Action
from contactcenter.reports import services, tables
from contactcenter.reports.figures import GroupBy
from contactcenter.reports.query import QueryError
from contactcenter.reports.views import query_of


class ReportView(APIView):
    permission_classes = [ByRole]
    action = "list"  # ByRole asks the policy for this view's action
    access = {"list": Action.READ_LEADS}

    @extend_schema(
        parameters=[OpenApiParameter("group", enum=[g.value for g in GroupBy], default=GroupBy.DAY.value),
                    OpenApiParameter("from", description="first day, YYYY-MM-DD (default: 6 days before)"),
                    OpenApiParameter("to", description="last day, included (default: today)"),
                    OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: OpenApiResponse(description="rows of figures (docs/reports.md)"),
                   400: OpenApiResponse(description="a bad group or range, named by parameter")},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        try:
            query = query_of(request._request)
        except QueryError as exc:
            return Response(exc.errors, status=400)
        report = services.build(query)
        rows = [{"key": row.key, "label": row.label, **tables.as_json(row.summary)} for row in report.rows]
        pages = ApiPages()
        page = pages.paginate_queryset(rows, request, view=self)
        response = pages.get_paginated_response(page)
        response.data |= {"group": query.group.value, "from": query.first_day.isoformat(),
                          "to": query.last_day.isoformat(), "time_zone": query.tz.key,
                          "total": tables.as_json(report.total)}  # fmt: skip
        return response
