"""Door visits (visit_api_urls) and their photos (visit_photo_api), coverage (coverage_api_urls) and pledges
(pledge_api) under /api/v1/."""

from django.urls import path

from .coverage_api_urls import urlpatterns as coverage_patterns
from .pledge_api import urlpatterns as pledge_patterns
from .visit_api_urls import urlpatterns as visit_patterns
from .visit_photo_api import VisitPhotoView

photo_patterns = [
    path("door-visits/<uuid:visit_client_id>/photos/", VisitPhotoView.as_view(), name="door-visit-photos"),
]

urlpatterns = visit_patterns + photo_patterns + coverage_patterns + pledge_patterns
