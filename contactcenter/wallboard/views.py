import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from contactcenter.people.doors import page_for
from contactcenter.people.policy import Action, may
from contactcenter.wallboard.callbacks import call_back

MAX_KEY_LENGTH = 128


@require_GET
@page_for(Action.WATCH_FLOOR)
def wallboard(request: HttpRequest) -> HttpResponse:
    """The page; everything on it arrives over the websocket ``/ws/wallboard/``. ``?tv=1``: the
    same board for a wall screen, large type and nothing to click."""
    tv = request.GET.get("tv", "") not in ("", "0")
    may_call_back = not tv and may(request.user, Action.RUN_CAMPAIGNS)
    page = {"ws_path": "/ws/wallboard/", "tv": tv,
            "callbacks_url": reverse("wallboard:callbacks") if may_call_back else None,
            "csrf_token": get_token(request) if may_call_back else None}  # fmt: skip
    return render(request, "wallboard/board.html", {"page": page, "tv": tv, "may_call_back": may_call_back})


@require_POST
def callbacks(request: HttpRequest) -> JsonResponse:
    """``{"key": <the abandoned call's board key>}``: schedule a call back to that caller.

    Supervisors and admins (who may run campaigns); the session's CSRF token is required like
    every other POST of the site. The number is looked up in our records (callbacks.py)."""
    if not request.user.is_authenticated or not may(request.user, Action.RUN_CAMPAIGNS):
        return JsonResponse({"ok": False, "detail": "supervisors and admins only"}, status=403)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"ok": False, "detail": "the body is not JSON"}, status=400)
    key = body.get("key") if isinstance(body, dict) else None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        return JsonResponse({"ok": False, "detail": "give the call's key"}, status=400)
    result = call_back(key.strip(), request.user.get_username(), timezone.now())
    status = 200 if result.ok else 404 if result.outcome == "unknown_call" else 409
    return JsonResponse(result.to_json(), status=status)
