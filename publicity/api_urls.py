"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from .api import ActivityViewSet, WorkTaskViewSet

router = SimpleRouter()
router.register("publicity-activities", ActivityViewSet, basename="publicity-activity")
router.register("work-tasks", WorkTaskViewSet, basename="work-task")

urlpatterns = router.urls
