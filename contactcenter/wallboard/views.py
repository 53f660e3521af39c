from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@staff_member_required
def wallboard(request: HttpRequest) -> HttpResponse:
    """The page; everything on it arrives over the websocket ``/ws/wallboard/``."""
    return render(request, "wallboard/board.html", {"ws_path": "/ws/wallboard/"})
