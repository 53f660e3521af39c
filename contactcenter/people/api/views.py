"""REST API of queues, agents and skills: admins write, supervisors read (``ByRole``); an agent's
SIP credentials are shown to admins and to the agent's own user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import ProtectedError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from contactcenter.people import services
from contactcenter.people.api.serializers import AgentSerializer, QueueSerializer, SkillSerializer
from contactcenter.people.doors import ByRole
from contactcenter.people.models import Agent, HumanQueue, Skill
from contactcenter.people.policy import Action, may
from contactcenter.people.sip_credentials import sip_password
from pbx.api.telephony import SIP_REALM

# Names as pbx.api.telephony.NAME_PATTERN allows them (a '.' too, which DRF's default refuses).
NAME_IN_URL = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


class RefusesProtectedDeletes:
    """A delete that would break what refers to the row (a campaign's queue...) answers 409, saying what."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().destroy(request, *args, **kwargs)  # type: ignore[misc]
        except ProtectedError as exc:
            used_by = ", ".join(sorted({f"{o._meta.verbose_name} {o}" for o in exc.protected_objects}))
            return Response({"detail": f"in use by {used_by}"}, status=status.HTTP_409_CONFLICT)
        except services.ConfigurationError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


class SkillViewSet(RefusesProtectedDeletes, viewsets.ModelViewSet):
    queryset = Skill.objects.all()
    serializer_class = SkillSerializer
    permission_classes = [ByRole]
    lookup_field = "name"
    lookup_value_regex = NAME_IN_URL


class QueueViewSet(RefusesProtectedDeletes, viewsets.ModelViewSet):
    queryset = HumanQueue.objects.select_related("overflow_queue", "required_skill").order_by("name")
    serializer_class = QueueSerializer
    permission_classes = [ByRole]
    lookup_field = "name"
    lookup_value_regex = NAME_IN_URL

    def perform_destroy(self, queue: HumanQueue) -> None:
        services.check_queue_deletable(queue)
        queue.delete()


class AdminOrTheAgentsOwnUser(BasePermission):
    """Admins (configuration), and an agent-role user for the agent they work as."""

    message = "only an admin or the agent's own user may see its SIP credentials"

    def has_permission(self, request: Any, view: Any) -> bool:
        return may(request.user, Action.CONFIGURE) or may(request.user, Action.WORK_CONSOLE)

    def has_object_permission(self, request: Any, view: Any, agent: Agent) -> bool:
        if may(request.user, Action.CONFIGURE):
            return True
        profile = getattr(agent, "profile", None)
        return profile is not None and profile.user_id == request.user.pk


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()
    realm = serializers.CharField()
    transport = serializers.CharField()
    sip_port = serializers.IntegerField()
    generation = serializers.IntegerField()


def credentials(agent: Agent) -> dict[str, Any]:
    return {"username": agent.name, "password": sip_password(agent), "realm": SIP_REALM,
            "transport": agent.transport, "sip_port": settings.STACK.ports.sip,
            "generation": agent.sip_password_generation}  # fmt: skip


class AgentViewSet(RefusesProtectedDeletes, viewsets.ModelViewSet):
    queryset = Agent.objects.order_by("name")
    serializer_class = AgentSerializer
    permission_classes = [ByRole]
    lookup_field = "name"
    lookup_value_regex = NAME_IN_URL

    def perform_create(self, serializer: AgentSerializer) -> None:
        setup = serializer.validated_data.pop("_setup")
        serializer.instance = services.do_configure_agent(Agent(**serializer.validated_data), setup)

    def perform_update(self, serializer: AgentSerializer) -> None:
        setup = serializer.validated_data.pop("_setup")
        agent = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(agent, name, value)
        serializer.instance = services.do_configure_agent(agent, setup)

    @extend_schema(responses={200: CredentialsSerializer},
                   description="The agent's SIP credentials, for a desk phone or softphone: admins, or the "
                               "agent's own user.")  # fmt: skip
    @action(detail=True, methods=["get"], permission_classes=[AdminOrTheAgentsOwnUser])
    def credentials(self, request: Request, name: str) -> Response:
        return Response(credentials(self.get_object()))

    @extend_schema(request=None, responses={200: CredentialsSerializer, 403: OpenApiResponse(description="not admin")},
                   description="A new SIP password; the old one stops registering once pbx reloads.")  # fmt: skip
    @action(detail=True, methods=["post"], url_path="credentials/rotate")
    def rotate(self, request: Request, name: str) -> Response:
        return Response(credentials(services.do_rotate_sip_password(self.get_object())))
