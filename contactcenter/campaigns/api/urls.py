from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from contactcenter.campaigns.api import views

# No ".json" twins of every route: the API speaks JSON (and CSV where a route says .csv); the
# twins also reached the extra actions with a `format` argument they do not take (a 500).
router = DefaultRouter()
router.include_format_suffixes = False
router.trailing_slash = "/?"  # so ".../results.csv" needs no slash (the constructor only takes a bool)
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("leads", views.LeadViewSet, basename="lead")
router.register("attempts", views.CallAttemptViewSet, basename="attempt")
router.register("dnc", views.DoNotCallViewSet, basename="dnc")
router.register("imports", views.ImportBatchViewSet, basename="import")

urlpatterns = [
    path("", include(router.urls)),
    # The API's description is public (it holds no data): integrators read it before they have a token.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
         name="api-docs"),
]
