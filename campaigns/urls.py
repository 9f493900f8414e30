from .coverage_urls import urlpatterns as coverage_patterns
from .visit_urls import urlpatterns as visit_patterns

app_name = "campaigns"

# Visits and pledges (visit_urls) and coverage and printed materials (coverage_urls).
urlpatterns = visit_patterns + coverage_patterns
