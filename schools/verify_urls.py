"""The public verification page of card applications (/verify/<code>/), outside any login."""

from django.urls import path  # noqa: F401

app_name = "verify"

urlpatterns = []
