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

urlpatterns = router.urls
