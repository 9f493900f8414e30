"""Door visits (visit_api_urls) and coverage (coverage_api_urls) under /api/v1/."""

from .coverage_api_urls import urlpatterns as coverage_patterns
from .visit_api_urls import urlpatterns as visit_patterns

urlpatterns = visit_patterns + coverage_patterns
