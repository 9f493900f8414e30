# Placeholder: the access-log page replaces this module.
from django.http import Http404
from django.urls import path

app_name = "audit"


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [path("access-log/", _todo, name="access_log")]
