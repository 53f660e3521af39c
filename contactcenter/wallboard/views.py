from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contactcenter.people.doors import page_for
from contactcenter.people.policy import Action


@require_GET
@page_for(Action.WATCH_FLOOR)
def wallboard(request: HttpRequest) -> HttpResponse:
    """The page; everything on it arrives over the websocket ``/ws/wallboard/``."""
    return render(request, "wallboard/board.html", {"ws_path": "/ws/wallboard/"})
