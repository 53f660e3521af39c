"""REST API of trunks, business hours and inbound routes: admins write, supervisors read (``ByRole``)."""

from __future__ import annotations

from rest_framework import viewsets

from contactcenter.campaigns.models import Campaign
from contactcenter.people.api.views import RefusesProtectedDeletes
from contactcenter.people.doors import ByRole
from contactcenter.people.services import ConfigurationError
from contactcenter.telephony.api.serializers import (
    BusinessHoursSerializer,
    InboundRouteSerializer,
    TrunkSerializer,
)
from contactcenter.telephony.models import BusinessHours, InboundRoute, Trunk


class TrunkViewSet(RefusesProtectedDeletes, viewsets.ModelViewSet):
    queryset = Trunk.objects.all()
    serializer_class = TrunkSerializer
    permission_classes = [ByRole]
    lookup_field = "name"
    lookup_value_regex = r"[A-Za-z0-9_-]+"

    def perform_destroy(self, trunk: Trunk) -> None:
        if using := list(Campaign.objects.filter(trunk=trunk.name).values_list("name", flat=True)[:5]):
            raise ConfigurationError(f"campaigns dial through {trunk.name}: {', '.join(using)}")
        trunk.delete()


class BusinessHoursViewSet(RefusesProtectedDeletes, viewsets.ModelViewSet):
    queryset = BusinessHours.objects.prefetch_related("windows", "holidays")
    serializer_class = BusinessHoursSerializer
    permission_classes = [ByRole]
    lookup_field = "name"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


class InboundRouteViewSet(RefusesProtectedDeletes, viewsets.ModelViewSet):
    """Looked up by DID: ``/api/inbound-routes/+918000100100/`` (the + may be left out)."""

    queryset = InboundRoute.objects.select_related("queue", "hours")
    serializer_class = InboundRouteSerializer
    permission_classes = [ByRole]
    lookup_field = "did"
    lookup_value_regex = r"\+?[0-9]+"

    def get_object(self) -> InboundRoute:
        did = self.kwargs["did"]
        self.kwargs["did"] = did if did.startswith("+") else f"+{did}"
        return super().get_object()
