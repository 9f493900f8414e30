"""Coverage pages and printed materials (included by campaigns/urls.py under /campaigns/)."""

from django.urls import path

from . import coverage_views, material_views

urlpatterns = [
    path("coverage/", coverage_views.coverage, name="coverage"),
    path("coverage/export.xlsx", coverage_views.coverage_export, name="coverage_export"),
    path("print/pledge-forms/", material_views.print_pledge_forms, name="print_pledge_forms"),
    path("print/pledge-forms/<int:pk>/", material_views.print_pledge_form, name="print_pledge_form"),
    path("print/<slug:kind>/", material_views.print_material, name="print_material"),
]
