"""The supervisors' API: listen / whisper / barge, stop, take an AI call over; pause or log out
an agent. Supervisors and admins only (the policy's SUPERVISE), JSON in and out, session (with
CSRF) or token auth like every API here. Each request becomes one pbx command naming the
logged-in user as the supervisor, answered 202 with the command's id: pbx carries it out."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contactcenter.campaigns.services import ActionError
from contactcenter.console.sip import credentials_for
from contactcenter.people.api.views import NAME_IN_URL
from contactcenter.people.doors import ByRole
from contactcenter.people.models import Agent, PauseReason
from contactcenter.people.policy import Action
from contactcenter.supervisors import commands, services
from contactcenter.supervisors.api.serializers import (
    CommandAccepted,
    PauseRequest,
    SuperviseRequest,
    TakeoverRequest,
)
from contactcenter.supervisors.models import SupervisorProfile
from pbx.api import Command, SupervisionMode

NO_AGENT = {404: OpenApiResponse(description="no such agent")}
REFUSED = {400: OpenApiResponse(description="a field is wrong (named)"),
           403: OpenApiResponse(description="not a supervisor or admin"),
           409: OpenApiResponse(description="your profile has no phone/queue for this, or the agent is busy"),
           503: OpenApiResponse(description="pbx's command stream is unreachable: nothing sent")}  # fmt: skip


def _accepted(command: Command, **extra: Any) -> Response:
    return Response(
        {"command_id": command.command_id, "type": command.type, **extra}, status=status.HTTP_202_ACCEPTED
    )


def _refused(exc: Exception, code: int) -> Response:
    return Response({"detail": str(exc)}, status=code)


def _call_id(value: str) -> str:
    if not commands.is_call_id(value):
        raise serializers.ValidationError({"call_id": "not a call id (pbx names calls with UUIDs)"})
    return value


class _Supervising(viewsets.ViewSet):
    permission_classes = [ByRole]
    access = dict.fromkeys(("supervise", "stop", "takeover", "pause", "log_out", "list"), Action.SUPERVISE)

    def _send(self, build: Any, **extra: Any) -> Response:
        """``build(supervisor)`` makes the command; it goes to pbx as the logged-in user's."""
        try:
            command = build(services.supervisor_of(self.request.user))
            services.send(command)
        except commands.NotSetUp as exc:
            return _refused(exc, status.HTTP_409_CONFLICT)
        except services.PbxUnreachable as exc:
            return _refused(exc, status.HTTP_503_SERVICE_UNAVAILABLE)
        return _accepted(command, **extra)


class CallViewSet(_Supervising):
    """A live call, by pbx's call id."""

    lookup_field = "call_id"

    @extend_schema(request=SuperviseRequest, responses={202: CommandAccepted, **REFUSED},
                   description="Your phone joins the call: listen, whisper (to the agent) or barge. Again "
                               "with another mode: the mode changes.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, call_id: str) -> Response:
        call_id = _call_id(call_id)
        form = SuperviseRequest(data=request.data)
        form.is_valid(raise_exception=True)
        mode = SupervisionMode(form.validated_data["mode"])
        return self._send(lambda sup: commands.supervise(sup, call_id, mode), call_id=call_id)

    @extend_schema(request=None, responses={202: CommandAccepted, **REFUSED},
                   description="Your phone leaves the call.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, call_id: str) -> Response:
        call_id = _call_id(call_id)
        return self._send(lambda sup: commands.stop(sup, call_id), call_id=call_id)

    @extend_schema(request=TakeoverRequest, responses={202: CommandAccepted, **REFUSED},
                   description="Take an AI call over before VoiceWatch does: to your phone, or your "
                               "queue.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def takeover(self, request: Request, call_id: str) -> Response:
        call_id = _call_id(call_id)
        form = TakeoverRequest(data=request.data)
        form.is_valid(raise_exception=True)
        to = form.validated_data["to"]
        return self._send(lambda sup: commands.takeover(sup, call_id, to), call_id=call_id)


class AgentViewSet(_Supervising):
    """An agent, by name: forced pause and log-out (recorded in Django at once, then by pbx in Asterisk)."""

    lookup_field = "name"
    lookup_value_regex = NAME_IN_URL

    def _force(self, name: str, what: str, reason: str = "") -> Response:
        agent = get_object_or_404(Agent, name=name)
        try:
            supervisor = services.supervisor_of(self.request.user)
            agent, command = services.do_force_agent_state(agent, what, supervisor, reason)
        except ActionError as exc:
            return _refused(exc, status.HTTP_409_CONFLICT)
        except services.PbxUnreachable as exc:
            return _refused(exc, status.HTTP_503_SERVICE_UNAVAILABLE)
        return _accepted(
            command, agent={"name": agent.name, "state": agent.state, "pause_reason": agent.pause_reason}
        )

    @extend_schema(request=PauseRequest, responses={202: CommandAccepted, **NO_AGENT, **REFUSED})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, name: str) -> Response:
        form = PauseRequest(data=request.data)
        form.is_valid(raise_exception=True)
        return self._force(name, "pause_agent", form.validated_data["reason"])

    @extend_schema(request=None, responses={202: CommandAccepted, **NO_AGENT, **REFUSED})
    @action(detail=True, methods=["post"], url_path="log-out")
    def log_out(self, request: Request, name: str) -> Response:
        return self._force(name, "log_out_agent")


class SessionViewSet(_Supervising):
    """What the supervisor page needs to start: your phone (and its SIP credentials when the page
    is to register it), your queue, the pause reasons, where the floor's live data comes from."""

    @extend_schema(
        responses={200: OpenApiResponse(description="the page's start-up data"), 403: REFUSED[403]}
    )
    def list(self, request: Request) -> Response:
        profile = (SupervisorProfile.objects.select_related("phone", "supervisor_queue")
                   .filter(user_id=request.user.pk).first())  # fmt: skip
        phone = None
        if profile is not None:
            webrtc = profile.phone.transport == "webrtc"
            phone = {"name": profile.phone.name, "transport": profile.phone.transport,
                     "sip": credentials_for(profile.phone).as_dict() if webrtc else None}  # fmt: skip
        queue = profile.supervisor_queue if profile else None
        response = Response({
            "user": request.user.get_username(),
            "phone": phone,
            "supervisor_queue": queue.name if queue else None,
            "pause_reasons": list(PauseReason.objects.filter(active=True).values_list("label", flat=True)),
            # Phones of supervisors are agents too: the page does not offer to pause them.
            "supervisor_phones": list(SupervisorProfile.objects.values_list("phone__name", flat=True)),
            "websocket": "/ws/wallboard/",
        })  # fmt: skip
        response["Cache-Control"] = "no-store"  # a SIP password
        return response
