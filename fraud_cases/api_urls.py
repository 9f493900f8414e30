"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .analysis_api import CaseAnalysisView
from .api import FraudCaseViewSet
from .typical_api import TypicalCaseViewSet

router = SimpleRouter()
router.register("fraud-cases", FraudCaseViewSet, basename="fraud-case")
router.register("typical-cases", TypicalCaseViewSet, basename="typical-case")

urlpatterns = [
    path("case-analysis/", CaseAnalysisView.as_view(), name="case-analysis"),
    *router.urls,
]
