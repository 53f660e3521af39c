from rest_framework.routers import SimpleRouter

from contactcenter.people.api import views

# A SimpleRouter: the API's root view is the campaigns router's (one root for /api/).
router = SimpleRouter()
router.include_format_suffixes = False
router.trailing_slash = "/?"
router.register("queues", views.QueueViewSet, basename="queue")
router.register("agents", views.AgentViewSet, basename="agent")
router.register("skills", views.SkillViewSet, basename="skill")

urlpatterns = router.urls
