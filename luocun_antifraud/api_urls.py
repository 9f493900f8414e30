from django.urls import include, path
from rest_framework.routers import DefaultRouter

from organization.api import UnitViewSet
from residents.api import HouseholdViewSet, ResidentViewSet
from warnings_followup.api import FraudTypeViewSet, WarningViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("households", HouseholdViewSet, basename="household")
router.register("residents", ResidentViewSet, basename="resident")
router.register("warnings", WarningViewSet, basename="warning")
router.register("fraud-types", FraudTypeViewSet, basename="fraud-type")

# Each feature app owns its part of the API in <app>/api_urls.py.
APP_APIS = ["campaigns", "publicity", "schools", "education", "fraud_cases", "assessment"]

# A path under /api/ that matches none of these answers a JSON 404 (core.api.api_not_found, the last route of
# luocun_antifraud/urls.py), never the HTML page.
urlpatterns = router.urls + [path("", include(f"{app}.api_urls")) for app in APP_APIS]
