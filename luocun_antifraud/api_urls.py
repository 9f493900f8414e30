from rest_framework.routers import DefaultRouter

from organization.api import UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")

urlpatterns = router.urls
