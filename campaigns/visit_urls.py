"""Door visits and pledges under /campaigns/ (coverage and printed materials are in coverage_urls)."""

from django.urls import path

from . import export_views, pledge_views, visit_views

urlpatterns = [
    path("households/", visit_views.household_list, name="households"),
    path("households/<int:pk>/", visit_views.household_detail, name="household"),
    path("households/<int:pk>/visit/", visit_views.visit_create, name="visit_create"),
    path("households/<int:pk>/pledge/", pledge_views.pledge_create, name="pledge_create"),
    path("visits/", visit_views.visit_list, name="visit_list"),
    path("visits/export/", export_views.export_visits, name="visit_export"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("pledges/", pledge_views.pledge_list, name="pledge_list"),
    path("pledges/export/", export_views.export_pledges, name="pledge_export"),
    path("pledges/lookup/", pledge_views.pledge_lookup, name="pledge_lookup"),
    path("pledges/<int:pk>/", pledge_views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/print/", pledge_views.pledge_print, name="pledge_print"),
    path("pledges/<int:pk>/image/", pledge_views.pledge_image, name="pledge_image"),
]
