"""The agent console: the page and its JSON API (same-origin, session + CSRF).

Its scripts and stylesheet are static files (``console/static/``, JsSIP from the set-up's
cache), served by WhiteNoise like the admin's.

Thin: each POST parses its JSON and calls one function of :mod:`services`.
"""

from __future__ import annotations

import json
from functools import wraps
from typing import Any, Callable

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from contactcenter.campaigns.models import Disposition
from contactcenter.campaigns.services import ActionError
from contactcenter.console import history, services
from contactcenter.console.identity import console_agent_of
from contactcenter.console.models import CallStatus, ConsoleCall
from contactcenter.console.ringtone import ringtone_wav
from contactcenter.console.screenpop import screen_pop
from contactcenter.console.sip import credentials_for
from contactcenter.people.models import Agent

LOGIN_URL = "/console/login/"


def agent_api(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """JSON API for a logged-in agent: 401/403 as JSON, a call not on this console 404, ActionError 409,
    bad JSON or a value no state allows (InvalidRequest) 400."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"error": "log in first"}, status=401)
        agent = console_agent_of(request.user)
        if agent is None:
            return JsonResponse({"error": "this user is not an agent"}, status=403)
        body: dict[str, Any] = {}
        if request.method == "POST" and request.body:
            try:
                body = json.loads(request.body)
            except json.JSONDecodeError:
                return JsonResponse({"error": "the body must be JSON"}, status=400)
            if not isinstance(body, dict):
                return JsonResponse({"error": "the body must be a JSON object"}, status=400)
        try:
            response = view(request, agent, body, *args, **kwargs)
        except services.UnknownCall as exc:  # another agent's call, or none: the same answer
            return JsonResponse({"error": str(exc)}, status=404)
        except services.InvalidRequest as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        except ActionError as exc:
            return JsonResponse({"error": str(exc)}, status=409)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


class ConsoleLoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return "/console/"


def console_logout(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view(next_page=LOGIN_URL)(request)


@require_GET
@never_cache
@ensure_csrf_cookie
@login_required(login_url=LOGIN_URL)
def console_page(request: HttpRequest) -> HttpResponse:
    agent = console_agent_of(request.user)
    if agent is None:
        return render(request, "console/not_agent.html", status=403)
    return render(request, "console/console.html", {"agent": agent})


@require_GET
@agent_api
def session_api(request: HttpRequest, agent: Agent, body: dict[str, Any]) -> JsonResponse:
    """Everything the page needs to start: the agent, its SIP credentials, the dispositions."""
    pending = ConsoleCall.objects.filter(agent=agent, status=CallStatus.ENDED).select_related("lead", "attempt").first()
    current = services.current_state(agent)
    return JsonResponse({
        "agent": {"name": agent.name, "display_name": str(agent), "state": agent.state,
                  "queues": [q.name for q in agent.queues.all()], "auto_answer": agent.auto_answer,
                  **_state_json(current)},
        "sip": credentials_for(agent).as_dict(),
        "dispositions": [{"code": d.code, "label": d.label} for d in Disposition.objects.order_by("label")],
        "pause_reasons": services.pause_reasons(),
        "pending_disposition": screen_pop(pending) if pending else None,
        "websocket": "/ws/console/",
    })  # fmt: skip


def _state_json(change: services.StateChange) -> dict[str, Any]:
    """A state as the console applies it; ``wrap_up_until`` with the server's clock beside it, so the
    countdown does not depend on the browser's clock being right."""
    out: dict[str, Any] = {"state": change.state, "queue_action": change.queue_action,
                           "register": change.register, "reason": change.reason}  # fmt: skip
    if change.wrap_up_until is not None:
        out["wrap_up_until"] = change.wrap_up_until.timestamp()
        out["server_time"] = timezone.now().timestamp()
    return out


@require_POST
@agent_api
def state_api(request: HttpRequest, agent: Agent, body: dict[str, Any]) -> JsonResponse:
    state, reason = str(body.get("state", "")), str(body.get("reason", "") or "")
    change = services.do_set_state(agent.pk, state, reason=reason)
    return JsonResponse(_state_json(change))


@require_POST
@agent_api
def wrap_up_end_api(request: HttpRequest, agent: Agent, body: dict[str, Any]) -> JsonResponse:
    """The countdown reached zero: 409 if the server's clock says not yet."""
    return JsonResponse(_state_json(services.do_end_wrap_up(agent.pk)))


@require_GET
@agent_api
def history_api(request: HttpRequest, agent: Agent, body: dict[str, Any]) -> JsonResponse:
    """This agent's calls since local midnight (``TIME_ZONE``), newest first; never another agent's."""
    return JsonResponse({"calls": history.today(agent)})


@require_GET
@login_required(login_url=LOGIN_URL)
def ringtone(request: HttpRequest) -> HttpResponse:
    """The console's ring, generated here (no audio file is shipped or downloaded)."""
    if console_agent_of(request.user) is None:
        return HttpResponse(status=403)
    response = HttpResponse(ringtone_wav(), content_type="audio/wav")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_POST
@agent_api
def offer_api(request: HttpRequest, agent: Agent, body: dict[str, Any]) -> JsonResponse:
    """The softphone rings: record the offer, answer with the screen-pop (headers + Django data)."""
    sip_call_id = str(body.get("sip_call_id", ""))
    if not sip_call_id:
        raise ActionError("sip_call_id is required")
    names = ("call_id", "queue", "reason", "score", "summary", "caller")
    fields = {k: str(body.get(k, "") or "") for k in names}
    call = services.do_offer_call(agent.pk, sip_call_id=sip_call_id, **fields)
    return JsonResponse(screen_pop(call), status=201)


@require_POST
@agent_api
def answered_api(request: HttpRequest, agent: Agent, body: dict[str, Any], pk: int) -> JsonResponse:
    """Answers with the screen-pop again: a call confirmed only now shows its lead."""
    services.do_answered(agent.pk, pk)
    return JsonResponse(screen_pop(ConsoleCall.objects.select_related("lead__campaign", "attempt").get(pk=pk)))


@require_POST
@agent_api
def ended_api(request: HttpRequest, agent: Agent, body: dict[str, Any], pk: int) -> JsonResponse:
    call, change = services.do_ended(agent.pk, pk, str(body.get("cause", "")))
    return JsonResponse({"id": call.pk, "status": call.status, **_state_json(change)})


@require_POST
@agent_api
def disposition_api(request: HttpRequest, agent: Agent, body: dict[str, Any], pk: int) -> JsonResponse:
    call, change = services.do_dispose(agent.pk, pk, str(body.get("code", "")), str(body.get("note", "")),
                                       request.user)  # fmt: skip
    return JsonResponse({"id": call.pk, "status": call.status, "disposition": call.disposition.code,
                         **_state_json(change)})  # fmt: skip

