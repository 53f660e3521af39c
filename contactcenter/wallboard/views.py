from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contactcenter.people.doors import page_for
from contactcenter.people.policy import Action


@page_for(Action.WATCH_FLOOR)
def wallboard(request: HttpRequest) -> HttpResponse:
    """The page; everything on it arrives over the websocket ``/ws/wallboard/``."""
    return render(request, "wallboard/board.html", {"ws_path": "/ws/wallboard/"})
