"""Failed logins count against the address they came from (django-axes), the API's tokens too.

The log-in forms (the site's, the admin's, the console's) go through ``authenticate()``, which
axes watches (settings: ``AXES_*``). An API token does not: :class:`LockoutTokenAuthentication`
reports a wrong token to axes as a failed login of the user ``api-token`` and refuses tokens
from an address that is locked out, so guessing tokens is as slow as guessing passwords.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

TOKEN_USERNAME = "api-token"


class LockoutBackend(AxesStandaloneBackend):
    """axes' check of every HTTP login; a login without a request (a command, the test client's
    ``login()``) is no one at an address to lock out, so it is left to the next backend instead
    of refused with axes' "requires a request" error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_message() -> str:
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() / 60
    return (f"Too many failed logins from this address ({settings.AXES_FAILURE_LIMIT}): locked out for "
            f"{minutes:.0f} minutes. An admin can lift it sooner (manage.py axes_reset_ip ADDRESS).")  # fmt: skip


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:  # fmt: skip
    """axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429, saying for how long."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    page = (f"<!doctype html><title>Locked out</title><h1>Locked out</h1><p>{escape(lockout_message())}</p>"
            f'<p><a href="{escape(request.path)}">Back to the log-in page</a></p>')  # fmt: skip
    return HttpResponse(page, status=429)


class LockoutTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None  # no token: another authentication's business
        credentials = {"username": TOKEN_USERNAME}
        django_request = request._request
        if settings.AXES_ENABLED and AxesProxyHandler.is_locked(django_request, credentials):
            raise exceptions.Throttled(detail=lockout_message())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(sender=type(self), credentials=credentials, request=django_request)
            raise
