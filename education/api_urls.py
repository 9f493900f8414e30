"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py)."""

from django.urls import path

from .api import BroadcastLogView, ComplianceView

urlpatterns = [
    path("education/compliance/", ComplianceView.as_view(), name="education-compliance"),
    path("education/broadcasts/", BroadcastLogView.as_view(), name="education-broadcast-log"),
]
