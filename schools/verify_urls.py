"""The public verification page of card applications (/verify/<code>/), outside any login."""

from django.urls import path

from . import verify_views

app_name = "verify"

urlpatterns = [
    path("<str:code>/", verify_views.verify, name="verify"),
]
