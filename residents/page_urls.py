# Placeholder: the registry pages replace this module.
from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("households/", _todo, name="household_list"),
    path("residents/", _todo, name="resident_list"),
]
