"""This app's part of /api/v1/ (included by luocun_antifraud/api_urls.py). Use a SimpleRouter here."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
