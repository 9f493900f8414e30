# Placeholder: the warning pages replace this module.
from django.http import Http404
from django.urls import path

app_name = "warnings_followup"


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("", _todo, name="queue"),
    path("today/", _todo, name="today"),
    path("<int:pk>/", _todo, name="warning_detail"),
]
