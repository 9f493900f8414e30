"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from .api import FraudCaseViewSet

router = SimpleRouter()
router.register("fraud-cases", FraudCaseViewSet, basename="fraud-case")

urlpatterns = router.urls
