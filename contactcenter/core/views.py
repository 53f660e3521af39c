from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contactcenter.people.policy import Action, may


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"reports": may(request.user, Action.READ_LEADS)})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """A real database round trip, so a broken DB shows as unhealthy web."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"ok": one == 1, "database": connection.vendor})
