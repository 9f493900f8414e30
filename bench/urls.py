"""The benchmark's URLconf: the project's URLs plus the floor, a logged-in view that runs no query of its own.

The floor renders the site's base layout (navigation, notification bell) with an empty page, through the same
middleware, session and authentication as every page: what any logged-in page costs before its own work. It
is not in the product's URLs; the benchmark sets ``ROOT_URLCONF = "bench.urls"`` (``bench.settings``).
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from luocun_antifraud.urls import handler500
from luocun_antifraud.urls import urlpatterns as project_urlpatterns

FLOOR_PATH = "/__floor__/"
_FLOOR_TEMPLATE = '{% extends "base.html" %}{% block content %}<p>floor</p>{% endblock %}'


@cache
def _floor_template():
    return engines["django"].from_string(_FLOOR_TEMPLATE)


@login_required
def floor(request):
    return HttpResponse(_floor_template().render({}, request))


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor, name="bench-floor"), *project_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
