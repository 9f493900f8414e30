"""Door visits (visit_api_urls), coverage (coverage_api_urls) and pledges (pledge_api) under /api/v1/."""

from .coverage_api_urls import urlpatterns as coverage_patterns
from .pledge_api import urlpatterns as pledge_patterns
from .visit_api_urls import urlpatterns as visit_patterns

urlpatterns = visit_patterns + coverage_patterns + pledge_patterns
