from rest_framework.routers import SimpleRouter

from contactcenter.telephony.api import views

# A SimpleRouter: the API's root view is the campaigns router's (one root for /api/).
router = SimpleRouter()
router.include_format_suffixes = False
router.trailing_slash = "/?"
router.register("trunks", views.TrunkViewSet, basename="trunk")
router.register("business-hours", views.BusinessHoursViewSet, basename="business-hours")
router.register("inbound-routes", views.InboundRouteViewSet, basename="inbound-route")

urlpatterns = router.urls
