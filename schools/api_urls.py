"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from .api import CardApplicationViewSet, StudentViewSet

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("card-applications", CardApplicationViewSet, basename="card-application")

urlpatterns = router.urls
