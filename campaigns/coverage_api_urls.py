"""``GET /api/v1/coverage/?unit=CODE`` (included by campaigns/api_urls.py)."""

from django.urls import path

from .coverage_api import CoverageView

urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="coverage-api"),
]
