"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py)."""

from django.urls import path

from .api import IndicatorView

urlpatterns = [
    path("indicators/", IndicatorView.as_view(), name="indicators"),
]
