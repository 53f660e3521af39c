"""``GET /metrics``: Prometheus's text format, for the metrics token or an admin or supervisor."""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4

from contactcenter.metrics.access import Verdict, verdict
from contactcenter.metrics.exposition import scrape
from contactcenter.metrics.state import StateCollector, agents_by_state, read_pbx_gauges
from workers.metrics import MULTIPROC_DIR_VARIABLE


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    answer = verdict(request.headers.get("Authorization", ""), request.user, settings.CC_METRICS_TOKEN)
    if answer is Verdict.UNAUTHENTICATED:
        refused = HttpResponse("metrics: send the metrics token (Authorization: Bearer …) or log in\n",
                               status=401, content_type="text/plain")  # fmt: skip
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    if answer is Verdict.FORBIDDEN:
        return HttpResponse("metrics: your role may not read metrics\n", status=403, content_type="text/plain")
    state = StateCollector(pbx_gauges=lambda: read_pbx_gauges(settings.REDIS_URL), agent_states=agents_by_state,
                           clock=time.time, max_age_s=settings.CC_METRICS_PBX_MAX_AGE_S)  # fmt: skip
    body = scrape(os.environ.get(MULTIPROC_DIR_VARIABLE) or None, state)
    return HttpResponse(body, content_type=CONTENT_TYPE_PLAIN_0_0_4)
