"""The supervisor page. Its data comes from the API (``/api/supervisor/session``) and the
wallboard's websocket (live calls, waiting callers, agents); its buttons post to the API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from contactcenter.people.doors import page_for
from contactcenter.people.policy import Action


@require_GET
@never_cache
@ensure_csrf_cookie  # the page's POSTs carry it (session auth)
@page_for(Action.SUPERVISE)
def supervisor_page(request: HttpRequest) -> HttpResponse:
    return render(request, "supervisors/page.html")
