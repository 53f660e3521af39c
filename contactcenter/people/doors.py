"""The doors' side of :mod:`contactcenter.people.policy`: a page decorator, a DRF permission
and a websocket check, each asking :func:`~contactcenter.people.policy.may` and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from contactcenter.people.policy import Action, may


def page_for(action: Action) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page for those who may ``action``: others log in first (anonymous) or get a 403."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may(request.user, action):
                raise PermissionDenied(f"your role may not {action}")
            return view(request, *args, **kwargs)

        return guarded

    return decorate


class ByRole(BasePermission):
    """DRF: reading is :attr:`Action.READ_CONFIGURATION`, any other method :attr:`Action.CONFIGURE`,
    unless the view's ``access`` maps its action (``start``, ``results_csv``, ``list``…) to another."""

    message = "your role may not do this"

    def has_permission(self, request: Any, view: Any) -> bool:
        return may(request.user, required_action(view, request.method))


def required_action(view: Any, method: str) -> Action:
    special: dict[str, Action] = getattr(view, "access", {})
    name = getattr(view, "action", None)
    if name in special:
        return special[name]
    return Action.READ_CONFIGURATION if method in SAFE_METHODS else Action.CONFIGURE


@database_sync_to_async
def socket_may(scope: dict[str, Any], action: Action) -> bool:
    """For a websocket consumer's ``connect``: the session's user (Channels' auth middleware)."""
    return may(scope.get("user"), action)
