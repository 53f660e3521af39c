from rest_framework.routers import SimpleRouter

from contactcenter.supervisors.api import views

router = SimpleRouter()
router.include_format_suffixes = False
router.trailing_slash = "/?"
router.register("supervisor/calls", views.CallViewSet, basename="supervisor-call")
router.register("supervisor/agents", views.AgentViewSet, basename="supervisor-agent")
router.register("supervisor/session", views.SessionViewSet, basename="supervisor-session")

urlpatterns = router.urls
