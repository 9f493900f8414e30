# Placeholder: the import pages replace this module.
from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [path("", _todo, name="import_start")]
