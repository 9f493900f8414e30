"""Door visits under /api/v1/ (coverage is in coverage_api_urls)."""

from rest_framework.routers import SimpleRouter

from .api import DoorVisitViewSet

router = SimpleRouter()
router.register("door-visits", DoorVisitViewSet, basename="door-visit")

urlpatterns = router.urls
