from rest_framework.routers import DefaultRouter

from organization.api import UnitViewSet
from residents.api import HouseholdViewSet, ResidentViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("households", HouseholdViewSet, basename="household")
router.register("residents", ResidentViewSet, basename="resident")

urlpatterns = router.urls
